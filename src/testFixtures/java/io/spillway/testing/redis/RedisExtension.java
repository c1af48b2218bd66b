package io.spillway.testing.redis;

import java.util.function.Supplier;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension owning one Redis fixture per test class (default) or per test, injectable as a
 * parameter of its exact type. The fixture lives in JUnit's extension store, so JUnit closes it when
 * the class or test finishes, whatever the outcome.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisExtension<RedisNode> REDIS = RedisExtension.node();
 *
 * @Test
 * void publishes(RedisNode redis) { ... }
 * }</pre>
 * {@code @ExtendWith(RedisExtension.class)} gives one {@link RedisNode} per class. Register at most
 * one extension per fixture type on a class: two would compete for the same parameter type.
 */
public final class RedisExtension<F extends AutoCloseable> implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {

    /** How long one fixture lives. */
    public enum Scope { PER_CLASS, PER_TEST }

    private final Class<F> type;
    private final Supplier<F> factory;
    private final Scope scope;
    private final ExtensionContext.Namespace namespace;
    private volatile F current;

    /** For {@code @ExtendWith(RedisExtension.class)}: one standalone node per test class. */
    @SuppressWarnings("unchecked")
    public RedisExtension() {
        this((Class<F>) RedisNode.class, () -> (F) RedisNode.start(), Scope.PER_CLASS);
    }

    private RedisExtension(Class<F> type, Supplier<F> factory, Scope scope) {
        this.type = type;
        this.factory = factory;
        this.scope = scope;
        this.namespace = ExtensionContext.Namespace.create(RedisExtension.class, this);
    }

    public static RedisExtension<RedisNode> node() {
        return node(RedisNode.builder());
    }

    public static RedisExtension<RedisNode> node(RedisNode.Builder builder) {
        return new RedisExtension<>(RedisNode.class, builder::start, Scope.PER_CLASS);
    }

    public static RedisExtension<RedisSentinelGroup> sentinelGroup() {
        return sentinelGroup(RedisSentinelGroup.builder());
    }

    public static RedisExtension<RedisSentinelGroup> sentinelGroup(RedisSentinelGroup.Builder builder) {
        return new RedisExtension<>(RedisSentinelGroup.class, builder::start, Scope.PER_CLASS);
    }

    public static RedisExtension<RedisClusterFixture> cluster() {
        return cluster(RedisClusterFixture.builder());
    }

    public static RedisExtension<RedisClusterFixture> cluster(RedisClusterFixture.Builder builder) {
        return new RedisExtension<>(RedisClusterFixture.class, builder::start, Scope.PER_CLASS);
    }

    /** Same fixture, but a fresh one for every test (for tests that kill or reconfigure it). */
    public RedisExtension<F> perTest() {
        return new RedisExtension<>(type, factory, Scope.PER_TEST);
    }

    public Scope scope() {
        return scope;
    }

    /**
     * The fixture of the running test. Parameter injection is preferred; this accessor exists for
     * fields and helpers and is ambiguous only when tests of one class run in parallel per test.
     */
    public F get() {
        F fixture = current;
        if (fixture == null) {
            throw new IllegalStateException("no " + type.getSimpleName() + " is running: is the extension registered?");
        }
        return fixture;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (scope == Scope.PER_CLASS) {
            fixture(context);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        fixture(context); // per test: starts it; per class registered on an instance field: starts it lazily
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == type;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return fixture(context);
    }

    /** The fixture visible from {@code context} (stores see their parents'), started in the scope's owner if absent. */
    private F fixture(ExtensionContext context) {
        Holder existing = context.getStore(namespace).get(Holder.class, Holder.class);
        if (existing != null) {
            return type.cast(existing.fixture());
        }
        ExtensionContext owner = scope == Scope.PER_TEST && context.getTestMethod().isPresent() ? context : classLevel(context);
        Holder created = owner.getStore(namespace).getOrComputeIfAbsent(Holder.class, key -> start(), Holder.class);
        return type.cast(created.fixture());
    }

    private Holder start() {
        F fixture = factory.get();
        current = fixture;
        return new Holder(fixture, () -> {
            if (current == fixture) {
                current = null;
            }
        });
    }

    /** The nearest ancestor that is not about one test method (parameterized tests add a level). */
    private static ExtensionContext classLevel(ExtensionContext context) {
        ExtensionContext level = context;
        while (level.getTestMethod().isPresent() && level.getParent().isPresent()) {
            level = level.getParent().get();
        }
        return level;
    }

    /** Store entry JUnit closes when its context ends. */
    private record Holder(AutoCloseable fixture, Runnable onClose) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws Exception {
            onClose.run();
            fixture.close();
        }
    }
}
