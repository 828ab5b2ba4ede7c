package io.hanzo.kms.scim.protocol.filter;

import io.hanzo.kms.scim.protocol.CaseFold;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recursive-descent parser for RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths.
 *
 * <p>Besides the grammar it accepts the forms identity providers really send where they have one
 * meaning: operators and keywords in any letter case ({@code Eq}, {@code AND}), unquoted values
 * ({@code userName eq bob@x.com}), and a comparison after a value filter
 * ({@code emails[type eq "work"].value eq "x"}). It knows no schema: attribute names are checked by
 * {@link FilterResolver}.
 */
public final class FilterParser {
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    /** The double quotes of typesetting (U+201C to U+201F), which are not the grammar's. */
    private static final String TYPOGRAPHIC_QUOTES = "\u201C\u201D\u201E\u201F";
    private static final int MAX_LENGTH = 8192;
    private static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;
    private int depth;

    private FilterParser(String text) {
        this.text = text;
    }

    /** Parses a whole filter expression; any error is a 400 {@code invalidFilter}. */
    public static Filter parse(String text) {
        if (text == null || text.isBlank()) {
            throw ScimException.invalidFilter("The filter is empty.");
        }
        if (text.length() > MAX_LENGTH) {
            throw ScimException.invalidFilter("The filter is longer than " + MAX_LENGTH + " characters.");
        }
        FilterParser p = new FilterParser(text);
        Filter f = p.parseOr(false);
        p.skipSpace();
        if (!p.atEnd()) {
            throw p.error("unexpected '" + p.peekWord() + "'");
        }
        return f;
    }

    /** Parses a PATCH path; any error is a 400 {@code invalidPath}. */
    public static PatchPath parsePath(String text) {
        if (text == null || text.isBlank()) {
            throw ScimException.invalidPath("The path is empty.");
        }
        if (text.length() > MAX_LENGTH) {
            // As for a filter: a value filter of 12,000 terms overflowed the stack of what reads it.
            throw ScimException.invalidPath("The path is longer than " + MAX_LENGTH + " characters.");
        }
        try {
            FilterParser p = new FilterParser(text.trim());
            String attrText = p.readPathText();
            AttributePath attr = p.toPath(attrText);
            Filter valueFilter = null;
            String sub = null;
            if (p.peekChar() == '[') {
                p.pos++;
                valueFilter = p.parseOr(true);
                p.skipSpace();
                p.expect(']');
                if (p.peekChar() == '.') {
                    p.pos++;
                    sub = p.readPathText();
                    if (sub.isEmpty() || sub.contains(".") || sub.contains(":")) {
                        throw p.error("a sub-attribute name must follow ']'.");
                    }
                }
            }
            if (!p.atEnd()) {
                throw p.error("unexpected '" + p.text.substring(p.pos) + "'");
            }
            if (valueFilter != null && attr.subAttribute() != null) {
                throw p.error("a value filter must follow a top-level attribute");
            }
            return new PatchPath(attr, valueFilter, sub);
        } catch (ScimException e) {
            throw ScimException.invalidPath("Invalid path '" + text + "': " + e.detail());
        }
    }

    // orExpr := andExpr ("or" andExpr)*
    private Filter parseOr(boolean inBrackets) {
        Filter left = parseAnd(inBrackets);
        while (nextKeywordIs("or")) {
            pos += 2;
            left = new Filter.Or(left, parseAnd(inBrackets));
        }
        return left;
    }

    // andExpr := unary ("and" unary)*
    private Filter parseAnd(boolean inBrackets) {
        Filter left = parseUnary(inBrackets);
        while (nextKeywordIs("and")) {
            pos += 3;
            left = new Filter.And(left, parseUnary(inBrackets));
        }
        return left;
    }

    private Filter parseUnary(boolean inBrackets) {
        if (++depth > MAX_DEPTH) {
            throw error("nested too deeply");
        }
        try {
            skipSpace();
            if (atEnd()) {
                throw error("an expression is missing at the end");
            }
            if (nextKeywordIs("not")) {
                int save = pos;
                pos += 3;
                skipSpace();
                if (peekChar() == '(') {
                    pos++;
                    Filter inner = parseOr(inBrackets);
                    skipSpace();
                    expect(')');
                    return new Filter.Not(inner);
                }
                pos = save;
            }
            if (peekChar() == '(') {
                pos++;
                Filter inner = parseOr(inBrackets);
                skipSpace();
                expect(')');
                return inner;
            }
            return parseAttributeExpression(inBrackets);
        } finally {
            depth--;
        }
    }

    private Filter parseAttributeExpression(boolean inBrackets) {
        int start = pos;
        String pathText = readPathText();
        if (pathText.isEmpty()) {
            throw error("an attribute name was expected at '" + peekWord() + "'");
        }
        AttributePath path = toPath(pathText);
        if (peekChar() == '[') {
            if (inBrackets) {
                throw error("value filters cannot be nested");
            }
            if (path.subAttribute() != null) {
                throw error("a value filter must follow a top-level attribute, not '" + pathText + "'");
            }
            pos++;
            Filter inner = parseOr(true);
            skipSpace();
            expect(']');
            if (peekChar() == '.' && IdpTolerance.FILTER_COMPARISON_AFTER_VALUE_FILTER.accepted()) {
                // emails[type eq "work"].value eq "x": the comparison applies to the same value.
                pos++;
                String sub = readPathText();
                if (sub.isEmpty() || sub.contains(".") || sub.contains(":")) {
                    throw error("a sub-attribute name must follow ']'");
                }
                Filter tail = parseOperatorAndValue(AttributePath.of(sub), start);
                return new Filter.ValuePath(path, new Filter.And(inner, tail));
            }
            return new Filter.ValuePath(path, inner);
        }
        return parseOperatorAndValue(path, start);
    }

    private Filter parseOperatorAndValue(AttributePath path, int exprStart) {
        skipSpace();
        String opWord = readWord();
        if (opWord.isEmpty()) {
            throw error("an operator was expected after '" + text.substring(exprStart, pos).trim() + "'");
        }
        if (opWord.equalsIgnoreCase("pr")) {
            return new Filter.Present(path);
        }
        CompareOp op = CompareOp.fromKeyword(opWord);
        if (op == null) {
            throw error("unknown operator '" + opWord + "'");
        }
        return new Filter.Compare(path, op, parseValue(op));
    }

    private JsonNode parseValue(CompareOp op) {
        skipSpace();
        if (atEnd()) {
            throw error("a value is missing after '" + op.keyword() + "'");
        }
        if (peekChar() == '"') {
            return TextNode.valueOf(readQuoted());
        }
        String word = readWord();
        if (word.isEmpty()) {
            throw error("a value was expected after '" + op.keyword() + "'");
        }
        switch (CaseFold.lower(word)) {
            case "true":
                return BooleanNode.TRUE;
            case "false":
                return BooleanNode.FALSE;
            case "null":
                return NullNode.instance;
            default:
                break;
        }
        if (NUMBER.matcher(word).matches()) {
            try {
                return new BareNumber(word);
            } catch (NumberFormatException e) {
                // An exponent beyond an int's range (1E9999999999): no number this server holds, so
                // read as the bare word it also is, which a string attribute compares as sent.
            }
        }
        // “x” is not "x": RFC 7644 quotes with ASCII double quotes, and whether typographic ones (a
        // word processor's, a chat's) are part of the value or meant as quotes, nothing says.
        char first = word.charAt(0);
        char last = word.charAt(word.length() - 1);
        if (TYPOGRAPHIC_QUOTES.indexOf(first) >= 0 || TYPOGRAPHIC_QUOTES.indexOf(last) >= 0) {
            char quote = TYPOGRAPHIC_QUOTES.indexOf(first) >= 0 ? first : last;
            throw error("the value " + word + " is in typographic quotes (" + quote + " U+"
                    + Integer.toHexString(quote).toUpperCase(Locale.ROOT) + "); a string must be in ASCII"
                    + " double quotes (\")");
        }
        // An unquoted word is taken as a string: some IdPs send userName eq bob@example.com.
        if (!IdpTolerance.FILTER_UNQUOTED_STRING.accepted()) {
            throw error("the string '" + word + "' must be in double quotes");
        }
        // But a word in single quotes is no bare word: whether the quotes are the value's own or
        // meant as JSON's, nothing says, and either reading answers some list as if it were right.
        if (word.length() >= 2 && word.charAt(0) == '\'' && word.charAt(word.length() - 1) == '\'') {
            throw error("the string " + word + " must be in double quotes, not single ones");
        }
        return TextNode.valueOf(word);
    }

    private String readQuoted() {
        pos++; // opening quote
        // Most values have no escape: they are the text up to the closing quote, taken as it is.
        for (int i = pos; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                String value = text.substring(pos, i);
                pos = i + 1;
                return value;
            }
            if (c == '\\') {
                break;
            }
        }
        StringBuilder sb = new StringBuilder(text.length() - pos);
        while (!atEnd()) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (atEnd()) {
                break;
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"': sb.append('"'); break;
                case '\\': sb.append('\\'); break;
                case '/': sb.append('/'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'u':
                    if (pos + 4 > text.length()) {
                        throw error("a \\u escape needs four hex digits");
                    }
                    try {
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("a \\u escape needs four hex digits");
                    }
                    pos += 4;
                    break;
                default:
                    throw error("unknown escape '\\" + e + "' in a string");
            }
        }
        throw error("a string is not closed");
    }

    /** Reads an attribute path: letters, digits and {@code : . $ _ -}. */
    private String readPathText() {
        skipSpace();
        int start = pos;
        while (!atEnd()) {
            char c = text.charAt(pos);
            if (Character.isLetterOrDigit(c) || c == ':' || c == '.' || c == '$' || c == '_' || c == '-') {
                pos++;
            } else {
                break;
            }
        }
        return text.substring(start, pos);
    }

    /** Reads a bare word: everything up to white space, a bracket, a parenthesis or a quote. */
    private String readWord() {
        int start = pos;
        while (!atEnd()) {
            char c = text.charAt(pos);
            if (Character.isWhitespace(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == '"') {
                break;
            }
            pos++;
        }
        return text.substring(start, pos);
    }

    private AttributePath toPath(String pathText) {
        if (pathText.isEmpty()) {
            throw error("an attribute name was expected");
        }
        try {
            return AttributePath.parse(pathText);
        } catch (IllegalArgumentException e) {
            throw error("'" + pathText + "' is not an attribute path");
        }
    }

    private boolean nextKeywordIs(String keyword) {
        skipSpace();
        int end = pos + keyword.length();
        if (end > text.length() || !text.regionMatches(true, pos, keyword, 0, keyword.length())) {
            return false;
        }
        if (end == text.length()) {
            return true;
        }
        char after = text.charAt(end);
        return Character.isWhitespace(after) || after == '(';
    }

    private void expect(char c) {
        if (peekChar() != c) {
            throw error("'" + c + "' expected" + (atEnd() ? " at the end" : " at '" + peekWord() + "'"));
        }
        pos++;
    }

    private char peekChar() {
        return atEnd() ? '\0' : text.charAt(pos);
    }

    private String peekWord() {
        int end = Math.min(text.length(), pos + 20);
        return text.substring(pos, end);
    }

    private void skipSpace() {
        while (!atEnd() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    private ScimException error(String what) {
        return ScimException.invalidFilter("Invalid filter at position " + (pos + 1) + ": " + what + ".");
    }
}
