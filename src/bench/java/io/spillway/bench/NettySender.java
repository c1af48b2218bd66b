package io.spillway.bench;

import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.AttributeKey;

/**
 * Asynchronous HTTP/1.1 keep-alive client on one Netty event loop (Netty is already on the classpath through
 * Redisson): no thread per request, so the generator leaves the shared cores to the gateway. One request per
 * connection at a time; an idle connection is reused, else a new one is opened (the generator's in-flight cap
 * bounds how many).
 */
final class NettySender implements RequestSender {
    private static final AttributeKey<Completion> PENDING = AttributeKey.valueOf("bench-pending");

    private final String host;
    private final int port;
    private final EventLoopGroup loop = new NioEventLoopGroup(1);
    private final Bootstrap bootstrap;
    private final Deque<Channel> idle = new ConcurrentLinkedDeque<>();

    NettySender(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(timeout.toMillis(), TimeUnit.MILLISECONDS),
                                              new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                                              new AnswerHandler());
                    }
                });
    }

    @Override
    public void send(PublishRequests.Signed request, Completion done) {
        Channel ch;
        while ((ch = idle.pollFirst()) != null && !ch.isActive()) {
            // closed while idle (server closed it, or the read timeout): drop it
        }
        if (ch != null) {
            write(ch, request, done);
            return;
        }
        bootstrap.connect(host, port).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                write(f.channel(), request, done);
            } else {
                done.completed(0, null, -1, f.cause());
            }
        });
    }

    private void write(Channel ch, PublishRequests.Signed request, Completion done) {
        ch.attr(PENDING).set(done);
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                                                         request.pathAndQuery(), Unpooled.wrappedBuffer(request.body()));
        req.headers().set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, request.body().length);
        ch.writeAndFlush(req).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                fail(f.channel(), f.cause());
            }
        });
    }

    private static void fail(Channel ch, Throwable cause) {
        Completion c = ch.attr(PENDING).getAndSet(null);
        ch.close();
        if (c != null) {
            c.completed(0, null, -1, cause);
        }
    }

    private static int retryAfterSeconds(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return -1; // an HTTP date: the gateway never sends one
        }
    }

    private final class AnswerHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Completion c = ctx.channel().attr(PENDING).getAndSet(null);
            int status = response.status().code();
            String body = status / 100 != 2 && RequestSender.sampleBody()
                    ? response.content().toString(StandardCharsets.UTF_8) : null;
            int retryAfter = retryAfterSeconds(response.headers().get(HttpHeaderNames.RETRY_AFTER));
            if (HttpUtil.isKeepAlive(response)) {
                idle.offerFirst(ctx.channel());
            } else {
                ctx.close();
            }
            if (c != null) {
                c.completed(status, body, retryAfter, null);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            idle.remove(ctx.channel());
            fail(ctx.channel(), new ClosedChannelException());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx.channel(), cause);
        }
    }

    @Override
    public void close() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
