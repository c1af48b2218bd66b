package io.spillway.broker;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * Writes one compact JSON object with Jackson's generator, which escapes every string it is given; and makes the
 * gateway's Jackson factories ({@link #factoryBuilder()}).
 */
public final class CompactJson {
    private static final JsonFactory JSON = factoryBuilder().build();

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

    /**
     * A builder for every Jackson factory of the request path: buffers come from one shared bounded pool, because
     * Jackson's default keeps them per thread, i.e. per virtual thread, i.e. ~8 KB kept by every open connection.
     */
    public static JsonFactoryBuilder factoryBuilder() {
        return new JsonFactoryBuilder().recyclerPool(JsonRecyclerPools.sharedBoundedPool());
    }
}
