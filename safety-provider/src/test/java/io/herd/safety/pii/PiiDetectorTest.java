package io.herd.safety.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Positive examples are published reference values (card networks' test numbers, the IBAN registry's examples,
 * AWS's documented example key); negatives are ordinary numbers that naive regexes mistake for PII.
 */
class PiiDetectorTest {

    private final PiiDetector detector = new PiiDetector();

    private List<PiiMatch> detect(String text) {
        return detector.detect(text);
    }

    private void assertSingle(String text, PiiCategory category, String value) {
        List<PiiMatch> matches = detect(text);
        assertThat(matches).as("matches in: %s", text).hasSize(1);
        PiiMatch m = matches.getFirst();
        assertThat(m.category()).isEqualTo(category);
        assertThat(text.substring(m.start(), m.end())).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jane.doe@example.com", "j+newsletter@mail.example.co.uk", "first_last99@sub.domain.io"})
    void emails(String email) {
        assertSingle("Contact me at " + email + ", thanks.", PiiCategory.EMAIL, email);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "5555 5555 5555 4444",
            "3782 822463 10005", "6011111111111117", "3530111333300000", "4012888888881881", "2223003122003222"})
    void creditCardsThatPassLuhn(String card) {
        assertSingle("card: " + card + " exp 12/27", PiiCategory.CREDIT_CARD, card);
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111 1111 1111 1112", "4111-1111 1111-1111", "1234 5678 9012 3456", "9780306406157"})
    void numbersThatAreNotCards(String number) {
        assertThat(detect("number " + number + " here")).extracting(PiiMatch::category).doesNotContain(PiiCategory.CREDIT_CARD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "FR14 2004 1010 0505 0001 3M02 606",
            "NL91ABNA0417164300", "BE68 5390 0754 7034", "CH93 0076 2011 6238 5295 7"})
    void ibansWithValidChecksum(String iban) {
        assertSingle("Pay to " + iban + " please", PiiCategory.IBAN, iban);
    }

    @Test
    void ibanWithWrongCheckDigitsIsIgnored() {
        assertThat(detect("Pay to GB83 WEST 1234 5698 7654 32 please")).extracting(PiiMatch::category)
                .doesNotContain(PiiCategory.IBAN);
    }

    @Test
    void ibanFollowedByUpperCaseWordStopsAtCountryLength() {
        assertSingle("IBAN DE89 3704 0044 0532 0130 00 AND BIC", PiiCategory.IBAN, "DE89 3704 0044 0532 0130 00");
    }

    @ParameterizedTest
    @CsvSource({"123-45-6789,us_ssn", "536 22 1234,us_ssn", "912-70-1234,us_itin"})
    void usTaxIds(String id, String kind) {
        List<PiiMatch> matches = detect("my id is " + id);
        assertThat(matches).singleElement().satisfies(m -> {
            assertThat(m.category()).isEqualTo(PiiCategory.NATIONAL_ID);
            assertThat(m.kind()).isEqualTo(kind);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000", "078-05-1120",
            "219-09-9999"})
    void numbersTheSsaNeverIssues(String id) {
        assertThat(detect("ssn " + id)).extracting(PiiMatch::category).doesNotContain(PiiCategory.NATIONAL_ID);
    }

    @Test
    void unseparatedSsnNeedsALabel() {
        assertSingle("SSN: 536221234", PiiCategory.NATIONAL_ID, "536221234");
        assertThat(detect("order 536221234 shipped")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"AB123456C", "AB 12 34 56 C", "JG103759A"})
    void ukNationalInsuranceNumbers(String nino) {
        assertSingle("NI number " + nino + ".", PiiCategory.NATIONAL_ID, nino);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GB123456A", "BG123456A", "DA123456A", "AB123456E"})
    void invalidNinoPrefixesOrSuffixes(String nino) {
        assertThat(detect("ref " + nino)).extracting(PiiMatch::category).doesNotContain(PiiCategory.NATIONAL_ID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+14155552671", "+44 20 7946 0958", "+49 (30) 1234567", "(415) 555-2671", "415-555-2671",
            "415.555.2671", "1-800-555-0199", "020 7946 0958", "07700 900123", "06 12 34 56 78"})
    void phoneNumbers(String phone) {
        assertSingle("Call " + phone + " today", PiiCategory.PHONE, phone);
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.168.1.20", "8.8.8.8", "2001:db8:85a3::8a2e:370:7334", "2001:0db8:0000:0000:0000:ff00:0042:8329",
            "fe80::1ff:fe23:4567:890a", "::ffff:192.0.2.128"})
    void ipAddresses(String ip) {
        assertSingle("client " + ip + " connected", PiiCategory.IP_ADDRESS, ip);
    }

    @ParameterizedTest
    @CsvSource({
            "AKIAIOSFODNN7EXAMPLE,aws_access_key",
            "ghp_16C7e42F292c6912E7710c838347Ae178B4a,github_token",
            "sk-proj-4f9Xk2LmQ7rT1vB8nW3zY6pD0sHcJ5aE,openai_api_key",
            "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp,slack_token",
            "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY,google_api_key",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc,stripe_api_key"})
    void keysWithKnownPrefixes(String key, String kind) {
        List<PiiMatch> matches = detect("export KEY=\"" + key + "\"");
        assertThat(matches).anySatisfy(m -> {
            assertThat(m.kind()).isEqualTo(kind);
            assertThat(m.category()).isEqualTo(PiiCategory.SECRET);
        });
    }

    @Test
    void privateKeyBlockIsOneMatch() {
        String pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi\nZ1BjP5CE8Wj7b5bK\n-----END RSA PRIVATE KEY-----";
        assertSingle("key:\n" + pem + "\nbye", PiiCategory.SECRET, pem);
    }

    @Test
    void highEntropyTokenWithoutKnownPrefix() {
        assertSingle("token Zx9Qw2Lr7Tk4Vb1Nm8Hc3Jd6Fs0Pa5Ge is valid", PiiCategory.SECRET, "Zx9Qw2Lr7Tk4Vb1Nm8Hc3Jd6Fs0Pa5Ge");
    }

    @Test
    void passwordAssignmentRedactsTheValueOnly() {
        assertSingle("db password = Tr0ub4dor&3", PiiCategory.SECRET, "Tr0ub4dor&3");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "The release date is 2024-01-15 and the deadline is 15/01/2024 or 12.03.2024.",
            "Upgrade from 1.2.3 to v10.4.12, or to version 1.2.3.4 if you must.",
            "Revenue was 1,234,567.89 USD, pi is 3.14159, and the price is $1,299.99.",
            "ISBN 978-3-16-148410-0, order #123456789, zip 90210, room 101, HTTP 404.",
            "Request id 123e4567-e89b-12d3-a456-426614174000 at 12:30:45 from MAC 00:1A:2B:3C:4D:5E.",
            "Commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixed java.util.List and std::vector<int>.",
            "The years 1999-2024 saw 7 billion people; call me at 5 or 6.",
            "Use AbstractSingletonProxyFactoryBean with internationalization enabled.",
            "Timestamps 1700000000 and 1700000000123 are epoch seconds and millis.",
            "See https://example.com/docs/getting-started/Installation2024Guide for details.",
            "Localhost is 127.0.0.1 and bind to 0.0.0.0 for all interfaces.",
            "Matrix dims 1024x768, ratio 16:9, coordinates 48.8566, 2.3522.",
            "The password is required and the secret is safe."})
    void ordinaryNumbersDatesAndVersionsAreNotPii(String text) {
        assertThat(detect(text)).as(text).isEmpty();
    }

    @Test
    void redactionReplacesEachMatchInPlace() {
        String text = "Mail jane.doe@example.com or call +14155552671, card 4111 1111 1111 1111.";
        String redacted = PiiRedactor.redact(text, detect(text));
        assertThat(redacted).isEqualTo("Mail [REDACTED_EMAIL] or call [REDACTED_PHONE], card [REDACTED_CREDIT_CARD].");
    }

    @Test
    void disabledCategoriesAreNotReported() {
        PiiDetector emailOnly = new PiiDetector(java.util.EnumSet.of(PiiCategory.EMAIL), PiiDetector.DEFAULT_ENTROPY_THRESHOLD);
        assertThat(emailOnly.detect("jane@example.com 4111 1111 1111 1111")).extracting(PiiMatch::category)
                .containsExactly(PiiCategory.EMAIL);
    }
}
