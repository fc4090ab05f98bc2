package ai.coditect.shared.store.embedded;

import com.apple.foundationdb.MutationType;

import java.util.Arrays;

/**
 * FoundationDB's atomic mutations, applied to a key's current value ({@code null} when the key is absent). A
 * {@code null} result means the key ends up absent. Integer operands are little-endian and of the parameter's
 * length; the current value is zero-extended or truncated to that length first, as FoundationDB does.
 */
final class AtomicOps {
    private AtomicOps() {
    }

    static boolean isSupported(MutationType type) {
        return switch (type) {
            case ADD, BIT_AND, AND, BIT_OR, OR, BIT_XOR, XOR, APPEND_IF_FITS, MAX, MIN, BYTE_MAX, BYTE_MIN,
                 COMPARE_AND_CLEAR -> true;
            default -> false;
        };
    }

    static byte[] apply(MutationType type, byte[] current, byte[] param) {
        return switch (type) {
            case ADD -> current == null ? param.clone() : add(current, param);
            case BIT_AND, AND -> current == null ? param.clone() : bitwise(current, param, 0);
            case BIT_OR, OR -> bitwise(current == null ? new byte[0] : current, param, 1);
            case BIT_XOR, XOR -> bitwise(current == null ? new byte[0] : current, param, 2);
            case APPEND_IF_FITS -> appendIfFits(current, param);
            case MAX -> current == null ? param.clone() : pick(current, param, true);
            case MIN -> current == null ? param.clone() : pick(current, param, false);
            case BYTE_MAX -> current == null || Arrays.compareUnsigned(current, param) < 0 ? param.clone() : current;
            case BYTE_MIN -> current == null || Arrays.compareUnsigned(current, param) > 0 ? param.clone() : current;
            case COMPARE_AND_CLEAR -> current != null && Arrays.equals(current, param) ? null : current;
            default -> throw new UnsupportedOperationException(
                    "atomic mutation " + type + " is not supported by the embedded engine");
        };
    }

    private static byte[] add(byte[] current, byte[] param) {
        byte[] out = new byte[param.length];
        int carry = 0;
        for (int i = 0; i < param.length; i++) {
            int a = i < current.length ? current[i] & 0xff : 0;
            int sum = a + (param[i] & 0xff) + carry;
            out[i] = (byte) sum;
            carry = sum >>> 8;
        }
        return out;
    }

    private static byte[] bitwise(byte[] current, byte[] param, int op) {
        byte[] out = new byte[param.length];
        for (int i = 0; i < param.length; i++) {
            int a = i < current.length ? current[i] : 0;
            out[i] = (byte) switch (op) {
                case 0 -> a & param[i];
                case 1 -> a | param[i];
                default -> a ^ param[i];
            };
        }
        return out;
    }

    private static byte[] appendIfFits(byte[] current, byte[] param) {
        if (current == null) {
            return param.clone();
        }
        if ((long) current.length + param.length > Limits.VALUE_BYTES) {
            return current;
        }
        byte[] out = Arrays.copyOf(current, current.length + param.length);
        System.arraycopy(param, 0, out, current.length, param.length);
        return out;
    }

    /** MAX and MIN compare unsigned little-endian integers of the parameter's length. */
    private static byte[] pick(byte[] current, byte[] param, boolean max) {
        byte[] resized = Arrays.copyOf(current, param.length);
        int cmp = 0;
        for (int i = param.length - 1; i >= 0 && cmp == 0; i--) {
            cmp = Integer.compare(resized[i] & 0xff, param[i] & 0xff);
        }
        boolean keepCurrent = max ? cmp >= 0 : cmp <= 0;
        return keepCurrent ? resized : param.clone();
    }
}
