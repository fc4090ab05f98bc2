package ai.coditect.functions.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordHasherTest {
    private final PasswordHasher owasp = new PasswordHasher(PasswordHasher.Cost.OWASP);

    @Test
    void hashesAreArgon2idAtOwaspParametersWithTheirParametersEncoded() {
        String hash = owasp.hash("correct horse battery staple");
        assertTrue(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), hash);
        assertTrue(owasp.verify("correct horse battery staple", hash));
        assertFalse(owasp.verify("correct horse battery stapler", hash));
    }

    @Test
    void everyHashHasItsOwnSalt() {
        assertNotEquals(owasp.hash("same password here"), owasp.hash("same password here"));
    }

    @Test
    void hashesMadeWithWeakerParametersVerifyAndAskToBeUpgraded() {
        PasswordHasher weak = new PasswordHasher(new PasswordHasher.Cost(1024, 1, 1));
        String old = weak.hash("correct horse battery staple");
        assertTrue(owasp.verify("correct horse battery staple", old), "parameters are read from the hash");
        assertTrue(owasp.needsRehash(old));
        assertFalse(owasp.needsRehash(owasp.hash("correct horse battery staple")));
    }

    @Test
    void damagedOrForeignHashesNeverVerify() {
        String good = owasp.hash("correct horse battery staple");
        for (String bad : new String[] {null, "", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
                good.replace("m=19456", "m=abc"), good.replace("t=2", "t=0"), good.substring(0, good.lastIndexOf('$')),
                "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdA$aGFzaA"}) {
            assertFalse(owasp.verify("correct horse battery staple", bad), String.valueOf(bad));
        }
    }
}
