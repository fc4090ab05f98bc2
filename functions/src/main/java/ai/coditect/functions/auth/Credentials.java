package ai.coditect.functions.auth;

import java.util.Locale;
import java.util.regex.Pattern;

/** The rules for emails, passwords and display names. */
final class Credentials {
    static final int MIN_PASSWORD = 12;
    static final int MAX_PASSWORD = 256;
    private static final int MAX_NAME = 100;
    private static final Pattern LOCAL_PART = Pattern.compile("[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
    private static final Pattern DOMAIN = Pattern.compile(
            "([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");

    private Credentials() {
    }

    /** The email trimmed and lower-cased, or {@link AuthException.Reason#INVALID_EMAIL}. */
    static String email(String raw) {
        String email = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
        int at = email.lastIndexOf('@');
        boolean valid = email.length() <= 254 && at > 0 && at <= 64 && at == email.indexOf('@')
                && LOCAL_PART.matcher(email.substring(0, at)).matches()
                && DOMAIN.matcher(email.substring(at + 1)).matches();
        if (!valid) {
            throw new AuthException(AuthException.Reason.INVALID_EMAIL, "That is not a valid email address.");
        }
        return email;
    }

    /** Refuses passwords outside 12 to 256 characters and passwords equal to the email. */
    static void checkPassword(String password, String email) {
        int length = password == null ? 0 : password.codePointCount(0, password.length());
        if (length < MIN_PASSWORD || length > MAX_PASSWORD) {
            throw new AuthException(AuthException.Reason.WEAK_PASSWORD,
                    "Passwords need " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters.");
        }
        if (password.trim().equalsIgnoreCase(email)) {
            throw new AuthException(AuthException.Reason.WEAK_PASSWORD, "The password must not be your email.");
        }
    }

    /** The display name trimmed and shortened, or the email's local part when none is given. */
    static String name(String raw, String email) {
        String name = raw == null ? "" : raw.strip().replaceAll("\\p{Cntrl}", "");
        if (name.isEmpty()) {
            return email.substring(0, email.indexOf('@'));
        }
        return name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
    }
}
