package io.spillway.api;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PusherSignatureTest {
    static final String BODY = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";

    @Test
    void specTestVector() {
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        String md5 = PusherSignature.bodyMd5(body);
        assertEquals("ec365a775a4cd0599faeb73354201b6f", md5);
        String signature = PusherSignature.sign("7ad3773142a6692b25b8", "POST", "/apps/3/events",
                Map.of("auth_key", "278d425bdf160c739803", "auth_timestamp", "1353088179", "auth_version", "1.0",
                       "body_md5", md5));
        assertEquals("da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c", signature);
    }

    @Test
    void keysAreLowercasedAndSorted() {
        assertEquals("GET\n/p\na=2&b=1", PusherSignature.stringToSign("GET", "/p", Map.of("B", "1", "a", "2")));
    }
}
