package ai.coditect.knowledge.embedding;

import com.google.cloud.aiplatform.v1.EndpointName;
import com.google.cloud.aiplatform.v1.PredictResponse;
import com.google.cloud.aiplatform.v1.PredictionServiceClient;
import com.google.cloud.aiplatform.v1.PredictionServiceSettings;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Vertex AI text embeddings (e.g. {@code text-embedding-005}) through Google's official client: passages are sent
 * with task type {@code RETRIEVAL_DOCUMENT}, queries with {@code RETRIEVAL_QUERY}, at a fixed output dimension.
 */
public final class VertexEmbedder implements Embedder {
    /** Instances per request; Vertex AI also caps a request's tokens, and chunks are at most 512 tokens. */
    private static final int BATCH = 16;

    private final PredictionServiceClient client;
    private final String endpoint;
    private final String model;
    private final int dimensions;

    public VertexEmbedder(PredictionServiceClient client, String project, String location, String model,
                          int dimensions) {
        this.client = client;
        this.endpoint = EndpointName.ofProjectLocationPublisherModelName(project, location, "google", model)
                .toString();
        this.model = model;
        this.dimensions = dimensions;
    }

    /** A client on {@code apiEndpoint} ({@code <location>-aiplatform.googleapis.com:443}) with default credentials. */
    public static VertexEmbedder connect(String project, String location, String model, int dimensions,
                                         String apiEndpoint) {
        try {
            PredictionServiceClient client = PredictionServiceClient.create(PredictionServiceSettings.newBuilder()
                    .setEndpoint(apiEndpoint).build());
            return new VertexEmbedder(client, project, location, model, dimensions);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach Vertex AI at " + apiEndpoint, e);
        }
    }

    @Override
    public String name() {
        return "vertex:" + model + "/" + dimensions;
    }

    @Override
    public int dimensions() {
        return dimensions;
    }

    @Override
    public List<float[]> embedPassages(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i += BATCH) {
            out.addAll(predict(texts.subList(i, Math.min(texts.size(), i + BATCH)), "RETRIEVAL_DOCUMENT"));
        }
        return out;
    }

    @Override
    public float[] embedQuery(String text) {
        return predict(List.of(text), "RETRIEVAL_QUERY").getFirst();
    }

    private List<float[]> predict(List<String> texts, String taskType) {
        List<Value> instances = texts.stream().map(t -> Value.newBuilder().setStructValue(Struct.newBuilder()
                .putFields("content", Value.newBuilder().setStringValue(t).build())
                .putFields("task_type", Value.newBuilder().setStringValue(taskType).build())).build()).toList();
        Value parameters = Value.newBuilder().setStructValue(Struct.newBuilder()
                .putFields("outputDimensionality", Value.newBuilder().setNumberValue(dimensions).build())
                .putFields("autoTruncate", Value.newBuilder().setBoolValue(true).build())).build();
        PredictResponse response = client.predict(endpoint, instances, parameters);
        if (response.getPredictionsCount() != texts.size()) {
            throw new IllegalStateException("Vertex AI returned " + response.getPredictionsCount()
                    + " embeddings for " + texts.size() + " texts");
        }
        List<float[]> out = new ArrayList<>(texts.size());
        for (Value prediction : response.getPredictionsList()) {
            ListValue values = prediction.getStructValue().getFieldsOrThrow("embeddings").getStructValue()
                    .getFieldsOrThrow("values").getListValue();
            if (values.getValuesCount() != dimensions) {
                throw new IllegalStateException("Vertex AI returned " + values.getValuesCount()
                        + " dimensions; configured " + dimensions);
            }
            float[] v = new float[dimensions];
            for (int i = 0; i < dimensions; i++) {
                v[i] = (float) values.getValues(i).getNumberValue();
            }
            out.add(Embedder.normalize(v));
        }
        return out;
    }

    @Override
    public void close() {
        client.close();
    }
}
