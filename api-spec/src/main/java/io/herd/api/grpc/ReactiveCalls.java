package io.herd.api.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Bridges Reactor publishers to gRPC server calls: errors become gRPC statuses, a client that cancels
 * (or whose deadline passes) cancels the subscription, which stops the generation, and streams follow
 * the transport's flow control instead of buffering without bound.
 */
public final class ReactiveCalls {

    private ReactiveCalls() {
    }

    /** Answers a unary call from the Mono the supplier builds (failures while building are errors too). */
    public static <T, R> void unary(Supplier<Mono<T>> call, Function<T, R> toProto, StreamObserver<R> observer) {
        Mono<T> mono;
        try {
            mono = call.get();
        } catch (RuntimeException e) {
            observer.onError(GrpcErrors.toStatusException(e));
            return;
        }
        Disposable subscription = mono.subscribe(
                value -> {
                    observer.onNext(toProto.apply(value));
                    observer.onCompleted();
                },
                error -> observer.onError(GrpcErrors.toStatusException(error)),
                () -> {
                    // An empty Mono is a provider bug; completing without a message would be a protocol error.
                });
        if (observer instanceof ServerCallStreamObserver<R> server) {
            server.setOnCancelHandler(subscription::dispose);
        }
    }

    /** Answers a server-streaming call from the Flux the supplier builds, one message per element. */
    public static <T, R> void serverStream(Supplier<Flux<T>> call, Function<T, R> toProto, StreamObserver<R> observer) {
        Flux<T> flux;
        try {
            flux = call.get();
        } catch (RuntimeException e) {
            observer.onError(GrpcErrors.toStatusException(e));
            return;
        }
        ServerCallStreamObserver<R> server = (ServerCallStreamObserver<R>) observer;
        FlowControlledSubscriber<T, R> subscriber = new FlowControlledSubscriber<>(server, toProto);
        server.setOnCancelHandler(subscriber::dispose);
        server.setOnReadyHandler(subscriber::onTransportReady);
        flux.subscribe(subscriber);
    }

    /** Requests one element at a time, and only while the transport can take more. */
    private static final class FlowControlledSubscriber<T, R> extends BaseSubscriber<T> {

        private final ServerCallStreamObserver<R> observer;
        private final Function<T, R> toProto;
        private final AtomicBoolean awaitingElement = new AtomicBoolean();

        FlowControlledSubscriber(ServerCallStreamObserver<R> observer, Function<T, R> toProto) {
            this.observer = observer;
            this.toProto = toProto;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            requestIfReady();
        }

        @Override
        protected void hookOnNext(T value) {
            awaitingElement.set(false);
            if (observer.isCancelled()) {
                dispose();
                return;
            }
            observer.onNext(toProto.apply(value));
            requestIfReady();
        }

        void onTransportReady() {
            requestIfReady();
        }

        private void requestIfReady() {
            if (!isDisposed() && observer.isReady() && awaitingElement.compareAndSet(false, true)) {
                request(1);
            }
        }

        @Override
        protected void hookOnComplete() {
            if (!observer.isCancelled()) {
                observer.onCompleted();
            }
        }

        @Override
        protected void hookOnError(Throwable error) {
            if (!observer.isCancelled()) {
                observer.onError(GrpcErrors.toStatusException(error));
            }
        }
    }
}
