package ai.coditect.functions.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Who sent a request, as far as the platform can tell: the address that trusted infrastructure wrote into
 * {@code X-Forwarded-For}. Google's front end appends the client's address to whatever the client sent, and a
 * load balancer in front appends its own, so the trustworthy entry is the {@code hop}-th from the right (1 with
 * Cloud Functions alone, 2 behind an external load balancer); entries further left are the client's to invent.
 * IPv6 addresses are cut to their /64, the block one subscriber usually holds.
 */
public final class ClientAddress {
    /** The key of requests that carry no usable address (the local platform, where no proxy is in front). */
    public static final String UNKNOWN = "unknown";

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private ClientAddress() {
    }

    /** The client's address from the values of every {@code X-Forwarded-For} header, in order, or {@link #UNKNOWN}. */
    public static String from(List<String> forwardedFor, int hop) {
        if (hop < 1) {
            throw new IllegalArgumentException("hop counts from 1");
        }
        List<String> entries = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String entry : header.split(",")) {
                if (!entry.isBlank()) {
                    entries.add(entry.trim());
                }
            }
        }
        if (entries.isEmpty()) {
            return UNKNOWN;
        }
        // Fewer entries than hops: the request came past the outer proxy; its first entry is the closest there is.
        String chosen = entries.get(Math.max(0, entries.size() - hop));
        return normalize(chosen);
    }

    /** {@code address} as a canonical IPv4 address or IPv6 /64 prefix, or {@link #UNKNOWN} when it is neither. */
    static String normalize(String address) {
        var v4 = IPV4.matcher(address);
        if (v4.matches()) {
            StringBuilder out = new StringBuilder();
            for (int i = 1; i <= 4; i++) {
                int octet = Integer.parseInt(v4.group(i));
                if (octet > 255) {
                    return UNKNOWN;
                }
                out.append(i > 1 ? "." : "").append(octet);
            }
            return out.toString();
        }
        String literal = address.startsWith("[") && address.endsWith("]")
                ? address.substring(1, address.length() - 1) : address;
        if (!literal.contains(":") || !IPV6.matcher(literal).matches()) {
            return UNKNOWN;
        }
        try {
            // A literal with a colon is parsed, never looked up.
            InetAddress parsed = InetAddress.getByName(literal);
            if (!(parsed instanceof Inet6Address v6)) {
                return parsed.getHostAddress(); // an IPv4-mapped address is its IPv4 address
            }
            byte[] bytes = v6.getAddress();
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                out.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
            }
            return out.append(":/64").toString();
        } catch (UnknownHostException e) {
            return UNKNOWN;
        }
    }
}
