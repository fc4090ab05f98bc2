package ai.coditect.shared.agents;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * What an agent says about itself, in the shape of the A2A protocol's Agent Card: who it is, where and how it is
 * reached, and the skills it offers. The registry discovers agents and routes tasks by skill id.
 */
@JsonPropertyOrder({"name", "description", "version", "protocolVersion", "url", "preferredTransport", "provider",
        "capabilities", "defaultInputModes", "defaultOutputModes", "skills"})
public record AgentCard(String name, String description, String version, String protocolVersion, String url,
                        String preferredTransport, Provider provider, Capabilities capabilities,
                        List<String> defaultInputModes, List<String> defaultOutputModes, List<Skill> skills) {

    /** The organisation behind an agent. */
    public record Provider(String organization, String url) {
    }

    /** Optional protocol features the agent supports. */
    public record Capabilities(Boolean streaming, Boolean pushNotifications, Boolean stateTransitionHistory) {
    }

    /** One thing the agent can do; tasks name a skill by its {@code id}. */
    public record Skill(String id, String name, String description, List<String> tags, List<String> inputModes,
                        List<String> outputModes) {
        public Skill(String id, String name, String description, List<String> tags) {
            this(id, name, description, tags, null, null);
        }
    }

    /** A card with only what the registry needs: a name, an endpoint and skills. */
    public static AgentCard of(String name, String url, List<Skill> skills) {
        return new AgentCard(name, null, "1.0.0", "0.3.0", url, "JSONRPC", null, null, List.of("application/json"),
                List.of("application/json"), skills);
    }

    /** The ids of this card's skills. */
    public List<String> skillIds() {
        return skills == null ? List.of() : skills.stream().map(Skill::id).toList();
    }
}
