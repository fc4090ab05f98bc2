package ai.coditect.knowledge;

import ai.coditect.knowledge.embedding.VertexEmbedder;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.aiplatform.v1.PredictRequest;
import com.google.cloud.aiplatform.v1.PredictResponse;
import com.google.cloud.aiplatform.v1.PredictionServiceClient;
import com.google.cloud.aiplatform.v1.PredictionServiceSettings;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Vertex AI embedder with Google's real client against an in-process server speaking PredictionService. */
class VertexEmbedderTest {
    final List<PredictRequest> requests = new CopyOnWriteArrayList<>();
    Server server;
    ManagedChannel channel;
    VertexEmbedder embedder;
    volatile int dimensionsServed = 4;

    /** google.cloud.aiplatform.v1.PredictionService/Predict, as the service defines it. */
    static final MethodDescriptor<PredictRequest, PredictResponse> PREDICT = MethodDescriptor
            .<PredictRequest, PredictResponse>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("google.cloud.aiplatform.v1.PredictionService/Predict")
            .setRequestMarshaller(ProtoUtils.marshaller(PredictRequest.getDefaultInstance()))
            .setResponseMarshaller(ProtoUtils.marshaller(PredictResponse.getDefaultInstance())).build();

    ServerServiceDefinition fakeVertex() {
        return ServerServiceDefinition.builder("google.cloud.aiplatform.v1.PredictionService")
                .addMethod(PREDICT, ServerCalls.asyncUnaryCall(this::predict)).build();
    }

    /** Answers each instance with a vector derived from its text length, as text-embedding models shape replies. */
    void predict(PredictRequest request, StreamObserver<PredictResponse> reply) {
        {
            requests.add(request);
            if (request.getInstancesCount() == 0) {
                reply.onError(Status.INVALID_ARGUMENT.withDescription("no instances").asRuntimeException());
                return;
            }
            PredictResponse.Builder out = PredictResponse.newBuilder();
            for (Value instance : request.getInstancesList()) {
                int len = instance.getStructValue().getFieldsOrThrow("content").getStringValue().length();
                ListValue.Builder values = ListValue.newBuilder();
                for (int i = 0; i < dimensionsServed; i++) {
                    values.addValues(Value.newBuilder().setNumberValue(i == 0 ? len : 0));
                }
                out.addPredictions(Value.newBuilder().setStructValue(Struct.newBuilder().putFields("embeddings",
                        Value.newBuilder().setStructValue(Struct.newBuilder().putFields("values",
                                Value.newBuilder().setListValue(values).build())).build())));
            }
            reply.onNext(out.build());
            reply.onCompleted();
        }
    }

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(fakeVertex()).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        PredictionServiceClient client = PredictionServiceClient.create(PredictionServiceSettings.newBuilder()
                .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
                .setCredentialsProvider(NoCredentialsProvider.create()).build());
        embedder = new VertexEmbedder(client, "proj-1", "europe-west4", "text-embedding-005", 4);
    }

    @AfterEach
    void stop() {
        embedder.close();
        channel.shutdownNow();
        server.shutdownNow();
    }

    @Test
    void passagesAndQueriesAreSentWithTheirTaskTypesToThePublisherModel() {
        List<float[]> vectors = embedder.embedPassages(List.of("abc", "defgh"));
        assertEquals(2, vectors.size());
        assertArrayEquals(new float[] {1, 0, 0, 0}, vectors.getFirst(), 1e-6f);
        PredictRequest passages = requests.getFirst();
        assertEquals("projects/proj-1/locations/europe-west4/publishers/google/models/text-embedding-005",
                passages.getEndpoint());
        assertEquals("RETRIEVAL_DOCUMENT", passages.getInstances(0).getStructValue().getFieldsOrThrow("task_type")
                .getStringValue());
        assertEquals(4, (int) passages.getParameters().getStructValue().getFieldsOrThrow("outputDimensionality")
                .getNumberValue());

        embedder.embedQuery("where is it?");
        assertEquals("RETRIEVAL_QUERY", requests.getLast().getInstances(0).getStructValue()
                .getFieldsOrThrow("task_type").getStringValue());
    }

    @Test
    void manyPassagesGoInBatches() {
        List<String> texts = java.util.stream.IntStream.range(0, 40).mapToObj(i -> "passage " + i).toList();
        assertEquals(40, embedder.embedPassages(texts).size());
        assertEquals(3, requests.size());
    }

    @Test
    void aReplyOfTheWrongDimensionIsAnError() {
        dimensionsServed = 3;
        assertThrows(IllegalStateException.class, () -> embedder.embedQuery("x"));
    }
}
