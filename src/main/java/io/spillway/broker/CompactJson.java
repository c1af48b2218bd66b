package io.spillway.broker;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.JsonGenerator;

/** Writes one compact JSON object with Jackson's generator, which escapes every string it is given. */
final class CompactJson {
    /** Buffers from one shared pool: the default keeps them per thread, i.e. per virtual thread and connection. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.sharedBoundedPool()).build();

    /** The fields of one object. */
    interface Fields {
        void write(JsonGenerator gen) throws IOException;
    }

    private CompactJson() {
    }

    static String write(int sizeHint, Fields fields) {
        StringWriter out = new StringWriter(sizeHint);
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            gen.writeStartObject();
            fields.write(gen);
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static JsonFactory factory() {
        return JSON;
    }
}
