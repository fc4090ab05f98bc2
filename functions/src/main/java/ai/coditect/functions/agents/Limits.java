package ai.coditect.functions.agents;

import ai.coditect.shared.agents.AgentCard;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the registry accepts: well-formed ids, skill ids, cards within their limits, inputs and outputs of bounded
 * size. Everything is checked before any transaction, so a refused request changes nothing.
 */
final class Limits {
    static final int MAX_CARD_BYTES = 16 * 1024;
    static final int MAX_SKILLS_PER_CARD = 32;
    static final int MAX_TAGS_PER_SKILL = 16;
    static final int MAX_INPUT_BYTES = 32 * 1024;
    static final int MAX_OUTPUT_BYTES = 32 * 1024;
    static final int MAX_TEXT = 2_048;
    static final int MAX_SKILLS_PER_CLAIM = 16;
    static final int MAX_IDEMPOTENCY_KEY = 128;

    private static final Pattern SKILL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,128}");

    private Limits() {
    }

    static String id(String value, String what) {
        if (!Ids.isWellFormed(value)) {
            throw new AgentsException(AgentsException.Reason.MALFORMED_ID,
                    "'" + shorten(value) + "' is not a " + what + " id (26 characters a-z and 2-7).");
        }
        return value;
    }

    static boolean isSkillId(String value) {
        return value != null && SKILL_ID.matcher(value).matches();
    }

    static String skill(String value, AgentsException.Reason reason) {
        if (!isSkillId(value)) {
            throw new AgentsException(reason, "A skill id is 1 to 64 letters, digits, '.', '_' or '-', starting with "
                    + "a letter or digit; got '" + shorten(value) + "'.");
        }
        return value;
    }

    static String idempotencyKey(String value) {
        if (value != null && !IDEMPOTENCY_KEY.matcher(value).matches()) {
            throw new AgentsException(AgentsException.Reason.INVALID_REQUEST,
                    "An Idempotency-Key is 1 to 128 visible ASCII characters.");
        }
        return value;
    }

    static String text(String value, String field) {
        if (value != null && value.length() > MAX_TEXT) {
            throw new AgentsException(AgentsException.Reason.TOO_LARGE,
                    "'" + field + "' is longer than " + MAX_TEXT + " characters.");
        }
        return value;
    }

    static JsonNode payload(JsonNode value, int maxBytes, String field) {
        if (value != null && Json.bytes(value).length > maxBytes) {
            throw new AgentsException(AgentsException.Reason.TOO_LARGE,
                    "'" + field + "' is larger than " + maxBytes / 1024 + " KiB.");
        }
        return value;
    }

    /** Checks a card: size, required fields, endpoint URL, skills with unique well-formed ids. */
    static AgentCard card(AgentCard card) {
        if (card == null) {
            throw invalidCard("Send the agent card as 'card'.");
        }
        if (Json.bytes(card).length > MAX_CARD_BYTES) {
            throw new AgentsException(AgentsException.Reason.TOO_LARGE,
                    "The agent card is larger than " + MAX_CARD_BYTES / 1024 + " KiB.");
        }
        if (card.name() == null || card.name().isBlank() || card.name().length() > 128) {
            throw invalidCard("The card needs a 'name' of 1 to 128 characters.");
        }
        if (card.description() != null && card.description().length() > MAX_TEXT) {
            throw invalidCard("The card's 'description' is longer than " + MAX_TEXT + " characters.");
        }
        if (card.url() == null || !endpoint(card.url())) {
            throw invalidCard("The card needs a 'url': the agent's endpoint, an absolute http(s) or ws(s) URL.");
        }
        List<AgentCard.Skill> skills = card.skills();
        if (skills == null || skills.isEmpty() || skills.size() > MAX_SKILLS_PER_CARD) {
            throw invalidCard("The card needs 1 to " + MAX_SKILLS_PER_CARD + " 'skills'.");
        }
        Set<String> seen = new HashSet<>();
        for (AgentCard.Skill s : skills) {
            if (s == null) {
                throw invalidCard("A skill of the card is null.");
            }
            skill(s.id(), AgentsException.Reason.INVALID_CARD);
            if (!seen.add(s.id())) {
                throw invalidCard("The skill id '" + s.id() + "' appears twice.");
            }
            if (s.name() == null || s.name().isBlank() || s.name().length() > 128) {
                throw invalidCard("Skill '" + s.id() + "' needs a 'name' of 1 to 128 characters.");
            }
            if (s.tags() != null && (s.tags().size() > MAX_TAGS_PER_SKILL
                    || s.tags().stream().anyMatch(t -> t == null || t.isBlank() || t.length() > 64))) {
                throw invalidCard("Skill '" + s.id() + "' may have up to " + MAX_TAGS_PER_SKILL
                        + " tags of 1 to 64 characters.");
            }
        }
        return card;
    }

    private static boolean endpoint(String url) {
        if (url.length() > MAX_TEXT) {
            return false;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            return uri.getHost() != null && scheme != null
                    && List.of("http", "https", "ws", "wss").contains(scheme.toLowerCase(java.util.Locale.ROOT));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static AgentsException invalidCard(String detail) {
        return new AgentsException(AgentsException.Reason.INVALID_CARD, detail);
    }

    private static String shorten(String value) {
        if (value == null) {
            return "";
        }
        String v = value.length() > 40 ? value.substring(0, 40) + "…" : value;
        return v.replaceAll("[^\\x20-\\x7e…]", "?");
    }
}
