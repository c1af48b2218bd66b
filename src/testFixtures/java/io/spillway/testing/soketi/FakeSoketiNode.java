package io.spillway.testing.soketi;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.RespClient;

/**
 * Stands in for one soketi node's side of the Redis adapter's queries, without Node: subscribes to
 * {@code redis-adapter#comms#req} as soketi does and publishes {@code answer(request)} on {@code #comms#res}
 * (nothing when it returns null: a node that does not answer).
 */
public final class FakeSoketiNode implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RespClient subscriber;
    private final RespClient publisher;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final Thread reader;

    public FakeSoketiNode(int redisPort, Function<JsonNode, String> answer) {
        subscriber = RespClient.connect(redisPort);
        publisher = RespClient.connect(redisPort);
        subscriber.send("SUBSCRIBE", "redis-adapter#comms#req");
        subscriber.read(); // the subscribe confirmation
        subscriber.readTimeout(Duration.ZERO);
        reader = Thread.ofPlatform().daemon().name("fake-soketi").start(() -> {
            try {
                while (true) {
                    List<?> push = (List<?>) subscriber.read();
                    JsonNode request = JSON.readTree(push.get(2).toString()); // soketi parses it too: must be JSON
                    requests.add(request);
                    String reply = answer.apply(request);
                    if (reply != null) {
                        publisher.command("PUBLISH", "redis-adapter#comms#res", reply);
                    }
                }
            } catch (Exception closed) {
                // socket closed by close()
            }
        });
    }

    /** Every request this node received, parsed. */
    public List<JsonNode> requests() {
        return requests;
    }

    public void awaitRequests(int n) {
        Await.until(n + " requests", Duration.ofSeconds(5), () -> requests.size() >= n);
    }

    @Override
    public void close() {
        subscriber.close();
        publisher.close();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
