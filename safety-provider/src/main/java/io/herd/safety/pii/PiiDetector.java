package io.herd.safety.pii;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.herd.safety.pii.Candidates.IntList;

/**
 * Finds personal data and secrets in text. Every candidate a regular expression proposes is validated the way
 * the identifier itself is defined (Luhn for cards, ISO 13616 mod 97 for IBANs, SSA number ranges for SSNs,
 * octet and group rules for IP addresses, Shannon entropy for unlabelled tokens), which is what keeps dates,
 * version numbers, amounts and order numbers out.
 * <p>
 * The text is read once ({@link Candidates}): digit runs, '@' and ':' positions and word starts that begin a key
 * name or a token prefix. Each expression then runs only in a small window around such a candidate (the run of
 * characters its matches can consist of, e.g. digits, spaces and dashes for a card), with transparent bounds so that
 * look-arounds still see the surrounding text; prose between candidates is never searched. Thread-safe and immutable.
 */
public final class PiiDetector {

    public static final double DEFAULT_ENTROPY_THRESHOLD = 3.6;
    static final int MIN_ENTROPY_TOKEN = 20;

    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\\z)");
    private static final Pattern KNOWN_TOKEN = Pattern.compile(
            "(?<![A-Za-z0-9_-])(?:sk-(?:proj-|ant-(?:api\\d{2}-)?|svcacct-)?[A-Za-z0-9_-]{20,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}"
                    + "|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}"
                    + "|(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}|xox[abposr]-[A-Za-z0-9-]{10,}"
                    + "|AIza[0-9A-Za-z_-]{35}|glpat-[A-Za-z0-9_-]{20,}|hf_[A-Za-z0-9]{30,}"
                    + "|eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,})(?![A-Za-z0-9_-])");
    private static final Pattern SECRET_ASSIGNMENT = Pattern.compile(
            "(?i)\\b(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|access[_-]?token|auth[_-]?token|"
                    + "private[_-]?key)\\b[\"']?\\s*(?:[:=]|\\bis\\b)\\s*[\"']?([^\\s\"',;]{6,})");
    private static final Pattern EMAIL = Pattern.compile(
            "(?<![A-Za-z0-9._%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@"
                    + "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])");
    private static final Pattern IBAN = Pattern.compile("\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}\\b");
    private static final Pattern CARD = Pattern.compile("(?<![\\d.,/-])\\d(?:[ -]?\\d){12,18}(?![\\d-]|[.,]\\d)");
    private static final Pattern SSN = Pattern.compile("(?<![\\d-])(\\d{3})([- ])(\\d{2})\\2(\\d{4})(?![\\d-])");
    private static final Pattern SSN_WITH_CONTEXT = Pattern.compile(
            "(?i)\\b(?:ssn|social security(?: number| no\\.?)?)\\b[^\\d\\n]{0,12}(\\d{9})(?!\\d)");
    private static final Pattern UK_NINO = Pattern.compile(
            "\\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\\d{2} ?\\d{2} ?\\d{2} ?[A-D]\\b");
    private static final Pattern PHONE_INTERNATIONAL = Pattern.compile(
            "(?<![\\w+])\\+[1-9]\\d{0,3}(?:[ .-]?\\(?\\d{1,5}\\)?){1,6}(?![\\w-])");
    private static final Pattern PHONE_NORTH_AMERICA = Pattern.compile(
            "(?<![\\w+.-])(?:1[ .-])?(?:\\([2-9]\\d{2}\\) ?|[2-9]\\d{2}[ .-])[2-9]\\d{2}[ .-]\\d{4}(?![\\w-]|\\.\\d)");
    private static final Pattern PHONE_NATIONAL_TRUNK = Pattern.compile(
            "(?<![\\w+.-])0\\d{1,4}(?:[ -]\\d{2,8}){1,4}(?![\\w-]|\\.\\d)");
    private static final Pattern IPV4 = Pattern.compile(
            "(?<![\\w.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?!\\w|\\.\\d)");
    private static final Pattern IPV6_CANDIDATE = Pattern.compile(
            "(?<![\\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\\d{1,3}\\.){3}\\d{1,3}|[0-9A-Fa-f]{1,4})?(?![\\w:]|\\.\\d)");
    private static final Pattern VERSION_CONTEXT = Pattern.compile("(?i)(?:\\bv|version|release|build|ver\\.?)\\s*$");

    /** Characters each expression's matches consist of ("a~z" is a range): the windows it runs in. */
    private static final boolean[] DIGITS_SPACE_DASH = alphabet("0~9 -");
    private static final boolean[] DIGITS_DOT = alphabet("0~9.");
    private static final boolean[] UPPER_DIGITS_SPACE = alphabet("A~Z0~9 ");
    private static final boolean[] PHONE_CHARS = alphabet("0~9 .()+-");
    private static final boolean[] IPV6_CHARS = alphabet("0~9a~fA~F:.");
    private static final boolean[] EMAIL_LOCAL = alphabet("A~Za~z0~9._%+-");
    private static final boolean[] EMAIL_DOMAIN = alphabet("A~Za~z0~9.-");
    private static final boolean[] ENTROPY_TOKEN = alphabet("A~Za~z0~9+/=_-");
    /** "social security number" plus the 12-character gap the label pattern allows, with margin. */
    private static final int SSN_LABEL_REACH = 48;

    /** Valid IBAN lengths by country (ISO 13616 registry). */
    private static final Map<String, Integer> IBAN_LENGTHS = ibanLengths(
            "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 ES24 FI18 FO18 "
                    + "FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 "
                    + "LU20 LV21 LY25 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SC31 "
                    + "SD18 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20");

    private final Set<PiiCategory> enabled;
    private final double entropyThreshold;

    public PiiDetector(Set<PiiCategory> enabled, double entropyThreshold) {
        this.enabled = enabled.isEmpty() ? EnumSet.noneOf(PiiCategory.class) : EnumSet.copyOf(enabled);
        this.entropyThreshold = entropyThreshold;
    }

    public PiiDetector() {
        this(EnumSet.allOf(PiiCategory.class), DEFAULT_ENTROPY_THRESHOLD);
    }

    /** @return non-overlapping matches in text order; where candidates overlap the more specific one wins */
    public List<PiiMatch> detect(String text) {
        List<PiiMatch> found = new ArrayList<>(0);
        if (text == null || text.isEmpty()) {
            return found;
        }
        Candidates candidates = Candidates.of(text);
        int digits = candidates.digits;
        if (enabled.contains(PiiCategory.SECRET)) {
            secrets(text, candidates, found);
        }
        if (enabled.contains(PiiCategory.EMAIL) && candidates.atSigns.size > 0) {
            emails(text, candidates, found);
        }
        if (enabled.contains(PiiCategory.IBAN) && digits >= 8) {
            ibans(text, candidates, found);
        }
        if (enabled.contains(PiiCategory.CREDIT_CARD) && digits >= 13) {
            cards(text, candidates, found);
        }
        if (enabled.contains(PiiCategory.NATIONAL_ID) && digits >= 6) {
            nationalIds(text, candidates, found);
        }
        if (enabled.contains(PiiCategory.PHONE) && digits >= 7) {
            phones(text, candidates, found);
        }
        if (enabled.contains(PiiCategory.IP_ADDRESS) && (digits >= 4 || candidates.colons.size > 0)) {
            ipAddresses(text, candidates, found);
        }
        if (enabled.contains(PiiCategory.SECRET)) {
            highEntropyTokens(text, found);
        }
        return resolveOverlaps(found);
    }

    private void secrets(String text, Candidates candidates, List<PiiMatch> out) {
        if (text.contains("-----BEGIN")) {
            addAll(PRIVATE_KEY, text, PiiCategory.SECRET, "private_key", out);
        }
        IntList starts = candidates.tokenStarts;
        if (starts.size > 0) {
            Matcher m = anchoredMatcher(KNOWN_TOKEN, text);
            int searchedUpTo = 0;
            for (int i = 0; i < starts.size; i++) {
                int at = starts.get(i);
                if (at < searchedUpTo || !lookingAt(m, at)) {
                    continue;
                }
                searchedUpTo = m.end();
                String token = m.group();
                if (hasDigit(token) || token.startsWith("eyJ")) {
                    out.add(new PiiMatch(PiiCategory.SECRET, tokenKind(token), m.start(), m.end()));
                }
            }
        }
        IntList keys = candidates.keyNameStarts;
        if (keys.size > 0) {
            Matcher assignment = anchoredMatcher(SECRET_ASSIGNMENT, text);
            int searchedUpTo = 0;
            for (int i = 0; i < keys.size; i++) {
                int at = keys.get(i);
                if (at < searchedUpTo || !lookingAt(assignment, at)) {
                    continue;
                }
                searchedUpTo = assignment.end();
                String value = assignment.group(1);
                if (!value.chars().allMatch(Character::isLetter) && !value.startsWith("$") && !value.startsWith("{")
                        && !value.startsWith("<") && !value.startsWith("%")) {
                    out.add(new PiiMatch(PiiCategory.SECRET, "password_assignment", assignment.start(1), assignment.end(1)));
                }
            }
        }
    }

    private static void emails(String text, Candidates candidates, List<PiiMatch> out) {
        Matcher m = anchoredMatcher(EMAIL, text);
        int windowEnd = -1;
        // a left-to-right search never looks again at text an earlier match took
        int searchedUpTo = 0;
        for (int i = 0; i < candidates.atSigns.size; i++) {
            int at = candidates.atSigns.get(i);
            if (at < windowEnd) {
                continue;
            }
            int from = Math.max(searchedUpTo, expandLeft(text, at, EMAIL_LOCAL));
            windowEnd = expandRight(text, at + 1, EMAIL_DOMAIN);
            if (from >= windowEnd) {
                continue;
            }
            m.region(from, windowEnd);
            while (m.find()) {
                out.add(new PiiMatch(PiiCategory.EMAIL, "email", m.start(), m.end()));
                searchedUpTo = m.end();
            }
        }
    }

    /** Windows of the characters a match can consist of, around each digit run, with at least {@code minDigits} digits. */
    private static List<int[]> digitWindows(String text, Candidates candidates, boolean[] alphabet, int minDigits) {
        List<int[]> windows = new ArrayList<>(0);
        int windowEnd = -1;
        IntList runs = candidates.digitRunStarts;
        for (int i = 0; i < runs.size; i++) {
            int at = runs.get(i);
            if (at < windowEnd) {
                continue;
            }
            int from = expandLeft(text, at, alphabet);
            windowEnd = expandRight(text, at, alphabet);
            if (countDigits(text, from, windowEnd) >= minDigits) {
                windows.add(new int[] {from, windowEnd});
            }
        }
        return windows;
    }

    private static void findInWindows(Pattern pattern, String text, List<int[]> windows, java.util.function.Consumer<Matcher> onMatch) {
        if (windows.isEmpty()) {
            return;
        }
        Matcher m = anchoredMatcher(pattern, text);
        int searchedUpTo = 0;
        for (int[] window : windows) {
            int from = Math.max(searchedUpTo, window[0]);
            if (from >= window[1]) {
                continue;
            }
            m.region(from, window[1]);
            while (m.find()) {
                searchedUpTo = m.end();
                onMatch.accept(m);
            }
        }
    }

    private void ibans(String text, Candidates candidates, List<PiiMatch> out) {
        findInWindows(IBAN, text, digitWindows(text, candidates, UPPER_DIGITS_SPACE, 2), m -> {
            Integer length = IBAN_LENGTHS.get(m.group().substring(0, 2));
            if (length == null) {
                return;
            }
            // the regex may run into the next word; take exactly the country's length of characters
            int taken = 0;
            int end = m.start();
            while (end < m.end() && taken < length) {
                if (text.charAt(end) != ' ') {
                    taken++;
                }
                end++;
            }
            boolean endsAtBoundary = end >= text.length() || !Character.isLetterOrDigit(text.charAt(end));
            if (taken == length && endsAtBoundary && Checksums.ibanMod97(text.subSequence(m.start(), end))) {
                out.add(new PiiMatch(PiiCategory.IBAN, "iban", m.start(), end));
            }
        });
    }

    private void cards(String text, Candidates candidates, List<PiiMatch> out) {
        findInWindows(CARD, text, digitWindows(text, candidates, DIGITS_SPACE_DASH, 13), m -> {
            String candidate = m.group();
            String digitsOnly = candidate.replace(" ", "").replace("-", "");
            if (digitsOnly.length() < 13 || digitsOnly.length() > 19 || !consistentCardGrouping(candidate)
                    || !hasCardIssuerPrefix(digitsOnly) || !Checksums.luhn(digitsOnly)) {
                return;
            }
            out.add(new PiiMatch(PiiCategory.CREDIT_CARD, "credit_card", m.start(), m.end()));
        });
    }

    static String tokenKind(String token) {
        if (token.startsWith("sk-ant-")) return "anthropic_api_key";
        if (token.startsWith("sk-")) return "openai_api_key";
        if (token.startsWith("sk_") || token.startsWith("rk_")) return "stripe_api_key";
        if (token.startsWith("gh") || token.startsWith("github_pat_")) return "github_token";
        if (token.startsWith("xox")) return "slack_token";
        if (token.startsWith("AIza")) return "google_api_key";
        if (token.startsWith("glpat-")) return "gitlab_token";
        if (token.startsWith("hf_")) return "huggingface_token";
        if (token.startsWith("eyJ")) return "jwt";
        return "aws_access_key";
    }

    private void ibans(String text, List<PiiMatch> out) {
        Matcher m = IBAN.matcher(text);
        while (m.find()) {
            Integer length = IBAN_LENGTHS.get(m.group().substring(0, 2));
            if (length == null) {
                continue;
            }
            // the regex may run into the next word; take exactly the country's length of characters
            int taken = 0;
            int end = m.start();
            while (end < m.end() && taken < length) {
                if (text.charAt(end) != ' ') {
                    taken++;
                }
                end++;
            }
            boolean endsAtBoundary = end >= text.length() || !Character.isLetterOrDigit(text.charAt(end));
            if (taken == length && endsAtBoundary && Checksums.ibanMod97(text.subSequence(m.start(), end))) {
                out.add(new PiiMatch(PiiCategory.IBAN, "iban", m.start(), end));
            }
        }
    }

    private void cards(String text, List<PiiMatch> out) {
        Matcher m = CARD.matcher(text);
        while (m.find()) {
            String candidate = m.group();
            String digitsOnly = candidate.replace(" ", "").replace("-", "");
            if (digitsOnly.length() < 13 || digitsOnly.length() > 19 || !consistentCardGrouping(candidate)
                    || !hasCardIssuerPrefix(digitsOnly) || !Checksums.luhn(digitsOnly)) {
                continue;
            }
            out.add(new PiiMatch(PiiCategory.CREDIT_CARD, "credit_card", m.start(), m.end()));
        }
    }

    /** Cards are written ungrouped, or in groups split by one kind of separator: 4-4-4-4(-3), 4-6-5, 4-6-4. */
    static boolean consistentCardGrouping(String candidate) {
        boolean space = candidate.indexOf(' ') >= 0;
        boolean dash = candidate.indexOf('-') >= 0;
        if (!space && !dash) {
            return true;
        }
        if (space && dash) {
            return false;
        }
        String[] groups = candidate.split(space ? " " : "-");
        StringBuilder shape = new StringBuilder();
        for (String g : groups) {
            shape.append(g.length());
        }
        String s = shape.toString();
        return s.equals("4444") || s.equals("44443") || s.equals("465") || s.equals("464") || s.equals("4443")
                || s.equals("44444") || s.equals("4445") || s.equals("4446");
    }

    /** Issuer identification number ranges of the major schemes (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro). */
    static boolean hasCardIssuerPrefix(String d) {
        int two = Integer.parseInt(d.substring(0, 2));
        int four = Integer.parseInt(d.substring(0, 4));
        int three = Integer.parseInt(d.substring(0, 3));
        return d.charAt(0) == '4' || (two >= 51 && two <= 55) || (four >= 2221 && four <= 2720) || two == 34 || two == 37
                || four == 6011 || two == 65 || (three >= 644 && three <= 649) || (four >= 3528 && four <= 3589)
                || two == 36 || two == 38 || (three >= 300 && three <= 305) || two == 62 || two == 50
                || (two >= 56 && two <= 69);
    }

    private void nationalIds(String text, Candidates candidates, List<PiiMatch> out) {
        findInWindows(SSN, text, digitWindows(text, candidates, DIGITS_SPACE_DASH, 9), ssn -> {
            String kind = usTaxIdKind(ssn.group(1), ssn.group(3), ssn.group(4));
            if (kind != null) {
                out.add(new PiiMatch(PiiCategory.NATIONAL_ID, kind, ssn.start(), ssn.end()));
            }
        });
        // an unseparated number needs its label: windows reach back over the longest label and gap
        List<int[]> labelled = new ArrayList<>(0);
        IntList runs = candidates.digitRunStarts;
        for (int i = 0; i < runs.size; i++) {
            int at = runs.get(i);
            int end = at;
            while (end < text.length() && isDigit(text.charAt(end))) {
                end++;
            }
            if (end - at == 9) {
                labelled.add(new int[] {Math.max(0, at - SSN_LABEL_REACH), end});
            }
        }
        findInWindows(SSN_WITH_CONTEXT, text, labelled, m -> {
            String d = m.group(1);
            String kind = usTaxIdKind(d.substring(0, 3), d.substring(3, 5), d.substring(5));
            if (kind != null) {
                out.add(new PiiMatch(PiiCategory.NATIONAL_ID, kind, m.start(1), m.end(1)));
            }
        });
        findInWindows(UK_NINO, text, digitWindows(text, candidates, UPPER_DIGITS_SPACE, 6),
                m -> out.add(new PiiMatch(PiiCategory.NATIONAL_ID, "uk_nino", m.start(), m.end())));
    }

    /**
     * SSA rules: area 000, 666 and 900-999 are never issued as SSNs (9xx with group 50-65, 70-88, 90-92, 94-99 is an
     * ITIN), group 00 and serial 0000 are never issued, and 078-05-1120 and 219-09-9999 were published as examples.
     *
     * @return {@code us_ssn}, {@code us_itin}, or null when the number cannot be either
     */
    static String usTaxIdKind(String area, String group, String serial) {
        int a = Integer.parseInt(area);
        int g = Integer.parseInt(group);
        int s = Integer.parseInt(serial);
        if (g == 0 || s == 0) {
            return null;
        }
        if (a >= 900) {
            boolean itinGroup = (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || (g >= 94 && g <= 99);
            return itinGroup ? "us_itin" : null;
        }
        if (a == 0 || a == 666) {
            return null;
        }
        String whole = area + group + serial;
        if (whole.equals("078051120") || whole.equals("219099999")) {
            return null;
        }
        return "us_ssn";
    }

    private void phones(String text, Candidates candidates, List<PiiMatch> out) {
        List<int[]> windows = digitWindows(text, candidates, PHONE_CHARS, 8);
        if (windows.isEmpty()) {
            return;
        }
        List<int[]> withPlus = new ArrayList<>(0);
        for (int[] window : windows) {
            for (int i = window[0]; i < window[1]; i++) {
                if (text.charAt(i) == '+') {
                    withPlus.add(window);
                    break;
                }
            }
        }
        findInWindows(PHONE_INTERNATIONAL, text, withPlus, m -> {
            int digits = countDigits(m.group());
            if (digits >= 8 && digits <= 15) {
                out.add(new PiiMatch(PiiCategory.PHONE, "e164", m.start(), m.end()));
            }
        });
        findInWindows(PHONE_NORTH_AMERICA, text, windows, m -> out.add(new PiiMatch(PiiCategory.PHONE, "nanp", m.start(), m.end())));
        findInWindows(PHONE_NATIONAL_TRUNK, text, windows, national -> {
            int digits = countDigits(national.group());
            if (digits >= 10 && digits <= 11 && !VERSION_CONTEXT.matcher(text.substring(Math.max(0, national.start() - 10),
                    national.start())).find()) {
                out.add(new PiiMatch(PiiCategory.PHONE, "national", national.start(), national.end()));
            }
        });
    }

    private void ipAddresses(String text, Candidates candidates, List<PiiMatch> out) {
        // IPv6 first: an IPv4-mapped address (::ffff:192.0.2.128) is one address, not an IPv4 inside noise
        List<int[]> v6 = new ArrayList<>(0);
        int windowEnd = -1;
        for (int i = 0; i < candidates.colons.size; i++) {
            int at = candidates.colons.get(i);
            if (at < windowEnd) {
                continue;
            }
            int from = expandLeft(text, at, IPV6_CHARS);
            windowEnd = expandRight(text, at, IPV6_CHARS);
            if (text.indexOf(':', at + 1) >= 0 && text.indexOf(':', at + 1) < windowEnd) {
                v6.add(new int[] {from, windowEnd});
            }
        }
        findInWindows(IPV6_CANDIDATE, text, v6, m -> {
            if (isIpv6(m.group())) {
                out.add(new PiiMatch(PiiCategory.IP_ADDRESS, "ipv6", m.start(), m.end()));
            }
        });
        findInWindows(IPV4, text, digitWindows(text, candidates, DIGITS_DOT, 4), m -> {
            String ip = m.group();
            if (ip.startsWith("127.") || ip.equals("0.0.0.0")) {
                return;
            }
            String before = text.substring(Math.max(0, m.start() - 10), m.start());
            if (VERSION_CONTEXT.matcher(before).find()) {
                return;
            }
            out.add(new PiiMatch(PiiCategory.IP_ADDRESS, "ipv4", m.start(), m.end()));
        });
    }

    /** RFC 4291 text form: eight groups of 1-4 hex digits, or fewer around exactly one "::"; loopback excluded. */
    static boolean isIpv6(String s) {
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
            return false;
        }
        String body = s;
        int groupsNeeded = 8;
        if (body.indexOf('.') >= 0) {
            groupsNeeded = 6;
            int lastColon = body.lastIndexOf(':');
            if (!IPV4.matcher(body.substring(lastColon + 1)).matches()) {
                return false;
            }
            body = body.substring(0, lastColon + 1) + (body.endsWith("::") ? "" : "0");
            groupsNeeded = 7;
        }
        String[] parts = body.split(":", -1);
        int nonEmpty = 0;
        int hexDigits = 0;
        for (String part : parts) {
            if (part.length() > 4) {
                return false;
            }
            if (!part.isEmpty()) {
                nonEmpty++;
                hexDigits += part.length();
            }
        }
        if (doubleColon < 0) {
            if (parts.length != groupsNeeded || nonEmpty != groupsNeeded) {
                return false;
            }
        } else if (nonEmpty >= groupsNeeded) {
            return false;
        }
        if (nonEmpty < 2 || hexDigits < 4) {
            return false;
        }
        return !s.equals("::1");
    }

    /**
     * Unlabelled secrets: tokens of at least {@value #MIN_ENTROPY_TOKEN} characters that mix upper case, lower case
     * and digits, switch between those classes often (identifiers switch rarely) and whose Shannon entropy reaches
     * the threshold. Hex strings of 32+ characters count only right after a word like "key", "secret" or "token",
     * so commit hashes and UUIDs stay.
     */
    private void highEntropyTokens(String text, List<PiiMatch> out) {
        int n = text.length();
        int i = 0;
        while (i < n) {
            if (!isTokenChar(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < n && isTokenChar(text.charAt(i))) {
                i++;
            }
            int end = i;
            while (end > start && text.charAt(end - 1) == '=') {
                end--;
            }
            int len = end - start;
            // a URL's path after "scheme:" or a host name is not a secret on its own
            if (len < MIN_ENTROPY_TOKEN || len > 512 || (start > 0 && (text.charAt(start - 1) == ':' || text.charAt(start - 1) == '.'))) {
                continue;
            }
            if (looksRandom(text, start, end)) {
                out.add(new PiiMatch(PiiCategory.SECRET, "high_entropy_token", start, i));
            } else if (len >= 32 && isHexToken(text, start, end) && secretKeywordBefore(text, start)) {
                out.add(new PiiMatch(PiiCategory.SECRET, "hex_secret", start, end));
            }
        }
    }

    private boolean looksRandom(String s, int start, int end) {
        int upper = 0, lower = 0, digit = 0, switches = 0;
        int previousClass = -1;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            int cls;
            if (c >= 'A' && c <= 'Z') {
                upper++;
                cls = 0;
            } else if (c >= 'a' && c <= 'z') {
                lower++;
                cls = 1;
            } else if (c >= '0' && c <= '9') {
                digit++;
                cls = 2;
            } else {
                cls = 3;
            }
            if (previousClass >= 0 && cls != previousClass) {
                switches++;
            }
            previousClass = cls;
        }
        int len = end - start;
        if (upper == 0 || lower == 0 || digit < 2 || switches * 4 < len) {
            return false;
        }
        if (start >= 7 && s.startsWith("base64,", start - 7)) {
            return false;
        }
        return Checksums.shannonEntropy(s, start, end) >= entropyThreshold;
    }

    private static boolean isHexToken(String s, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean secretKeywordBefore(String s, int start) {
        String before = s.substring(Math.max(0, start - 30), start).toLowerCase(java.util.Locale.ROOT);
        return before.contains("key") || before.contains("secret") || before.contains("token") || before.contains("password")
                || before.contains("api");
    }

    private static boolean isTokenChar(char c) {
        return c < 128 && ENTROPY_TOKEN[c];
    }

    private static void addAll(Pattern pattern, String text, PiiCategory category, String kind, List<PiiMatch> out) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            out.add(new PiiMatch(category, kind, m.start(), m.end()));
        }
    }

    private static Matcher anchoredMatcher(Pattern pattern, String text) {
        return pattern.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
    }

    /** @param m a matcher whose region always ends at the end of the text */
    private static boolean lookingAt(Matcher m, int at) {
        m.region(at, m.regionEnd());
        return m.lookingAt();
    }

    private static int expandLeft(String text, int at, boolean[] alphabet) {
        int i = at;
        while (i > 0 && in(alphabet, text.charAt(i - 1))) {
            i--;
        }
        return i;
    }

    private static int expandRight(String text, int at, boolean[] alphabet) {
        int i = at;
        int n = text.length();
        while (i < n && in(alphabet, text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean in(boolean[] alphabet, char c) {
        return c < 128 && alphabet[c];
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int countDigits(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (isDigit(s.charAt(i))) {
                n++;
            }
        }
        return n;
    }

    static boolean[] alphabet(String ranges) {
        boolean[] table = new boolean[128];
        for (int i = 0; i < ranges.length(); i++) {
            if (i + 2 < ranges.length() && ranges.charAt(i + 1) == '~') {
                for (char c = ranges.charAt(i); c <= ranges.charAt(i + 2); c++) {
                    table[c] = true;
                }
                i += 2;
            } else {
                table[ranges.charAt(i)] = true;
            }
        }
        return table;
    }

    private static List<PiiMatch> resolveOverlaps(List<PiiMatch> found) {
        if (found.size() <= 1) {
            return found;
        }
        // earlier detectors are more specific: keep the first of overlapping candidates, then the longer one
        List<PiiMatch> kept = new ArrayList<>(found.size());
        for (PiiMatch candidate : found) {
            boolean clash = false;
            for (PiiMatch k : kept) {
                if (k.overlaps(candidate)) {
                    clash = true;
                    break;
                }
            }
            if (!clash) {
                kept.add(candidate);
            }
        }
        kept.sort(Comparator.comparingInt(PiiMatch::start));
        return kept;
    }

    private static int countDigits(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                n++;
            }
        }
        return n;
    }

    private static boolean hasDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Integer> ibanLengths(String table) {
        java.util.HashMap<String, Integer> map = new java.util.HashMap<>();
        for (String entry : table.split(" ")) {
            map.put(entry.substring(0, 2), Integer.parseInt(entry.substring(2)));
        }
        return Map.copyOf(map);
    }
}
