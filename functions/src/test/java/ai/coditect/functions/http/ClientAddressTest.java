package ai.coditect.functions.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClientAddressTest {

    /** Headers are separated by '|' (several X-Forwarded-For headers), entries by ','. */
    @ParameterizedTest(name = "[{0}] hop {1} -> {2}")
    @CsvSource(delimiter = ';', value = {
            "203.0.113.7; 1; 203.0.113.7",
            "1.1.1.1, 203.0.113.7; 1; 203.0.113.7",
            "1.1.1.1, 203.0.113.7, 35.191.0.1; 2; 203.0.113.7",
            "203.0.113.7; 2; 203.0.113.7",
            "1.1.1.1 | 203.0.113.7; 1; 203.0.113.7",
            "  203.0.113.7  ,  ; 1; 203.0.113.7",
            "203.000.113.007; 1; 203.0.113.7",
            "256.1.1.1; 1; unknown",
            "not-an-address; 1; unknown",
            "localhost; 1; unknown",
            "abc; 1; unknown",
            "2001:db8:1:2:3:4:5:6; 1; 2001:db8:1:2::/64",
            "2001:db8:1:2:ffff::1; 1; 2001:db8:1:2::/64",
            "[2001:db8::1]; 1; 2001:db8:0:0::/64",
            "::ffff:198.51.100.4; 1; 198.51.100.4",
            "fe80::1%eth0; 1; unknown",
            "zz::1; 1; unknown",
            "1:2:3:4:5:6:7:8:9; 1; unknown",
            "; 1; unknown",
    })
    void readsTheEntryTheTrustedProxyWrote(String headers, int hop, String expected) {
        List<String> values = headers == null ? List.of() : Arrays.asList(headers.split("\\|"));
        assertEquals(expected, ClientAddress.from(values, hop));
    }
}
