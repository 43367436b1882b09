//! Two runs of the same day, one through the Lambda binaries and one through the local server,
//! make the same answers but for what each generates: ids, tokens, signatures, times, and the
//! names of their own resources. An answer is compared word by word; where the words differ,
//! both must look generated and stand for each other everywhere (the first time they meet, they
//! are paired; afterwards a pair that doesn't hold is a difference). Requests built from the
//! Lambda run's answers are translated into the local run's words the same way.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// What each run calls its own resources (base URL, bucket, table, sender): replaced by one
/// marker in both before words are compared.
#[derive(Default)]
pub struct Aliases {
    lambda_to_local: HashMap<String, String>,
    local_to_lambda: HashMap<String, String>,
    constants: Vec<(String, String, String)>,
}

static TIMES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // RFC 3339, as JSON and logs write it.
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?",
        // SigV4's X-Amz-Date, percent-encoded or not.
        r"\d{8}T\d{6}Z",
        // HTTP dates (cookie expiry).
        r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT",
    ]
    .iter()
    .map(|r| Regex::new(r).expect("a valid pattern"))
    .collect()
});

const TIME: &str = "@time@";

/// A presigned URL's signature depends on the second it was made in: the same object signed in
/// the same second twice in one run, and in two seconds in the other, would pair one signature
/// with two. Compared as a time is.
static SIGNATURE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"X-Amz-Signature=[0-9a-f]{64}").expect("a valid pattern"));

/// An API key's last four characters (what the studio lists it by): random, and too short to
/// look generated. Compared as a time is.
static KEY_HINT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""hint":"[A-Za-z0-9_-]{4}""#).expect("a valid pattern"));

/// A page's style block is allowed by its hash in the CSP; the block names photos by id, which
/// differ between the runs (the bodies are compared with the ids aliased). Compared as a time is.
static STYLE_HASH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"'sha256-[A-Za-z0-9+/]{43}='").expect("a valid pattern"));

impl Aliases {
    /// `lambda` and `local` name the same thing in the two runs (a base URL, a bucket).
    pub fn constant(&mut self, marker: &str, lambda: &str, local: &str) {
        self.constants
            .push((format!("@{marker}@"), lambda.to_owned(), local.to_owned()));
        // Longest first, so a base URL is replaced before the host inside it.
        self.constants
            .sort_by_key(|(_, a, b)| std::cmp::Reverse(a.len().max(b.len())));
    }

    fn normalise(&self, text: &str, lambda: bool) -> String {
        let mut text = text.to_owned();
        for (marker, a, b) in &self.constants {
            text = text.replace(if lambda { a } else { b }, marker);
        }
        for time in TIMES.iter() {
            text = time.replace_all(&text, TIME).into_owned();
        }
        let text = SIGNATURE.replace_all(&text, "X-Amz-Signature=@signature@");
        let text = STYLE_HASH.replace_all(&text, "'sha256-@style@'");
        KEY_HINT
            .replace_all(&text, r#""hint":"@hint@""#)
            .into_owned()
    }

    /// Compares one part of an answer. `None` when the two say the same; else where they differ.
    pub fn compare(&mut self, lambda: &str, local: &str) -> Option<String> {
        let (a, b) = (self.normalise(lambda, true), self.normalise(local, false));
        let (wa, wb) = (words(&a), words(&b));
        if wa.len() != wb.len() {
            // Where the words part, not where the first generated one differs.
            let at = wa
                .iter()
                .zip(&wb)
                .position(|(x, y)| x != y && !(generated(x) && generated(y)))
                .unwrap_or(wa.len().min(wb.len()));
            let offset = |w: &[&str]| w[..at].iter().map(|w| w.len()).sum::<usize>();
            return Some(first_difference(&a, &b, offset(&wa), offset(&wb)));
        }
        // Pairs met in this answer join the known ones only if the whole answer matches.
        let mut forward: HashMap<&str, &str> = HashMap::new();
        let mut backward: HashMap<&str, &str> = HashMap::new();
        for (x, y) in wa.iter().zip(&wb) {
            if x == y {
                continue;
            }
            if !(generated(x) && generated(y)) {
                return Some(format!("`{x}` here, `{y}` from the local server"));
            }
            let paired_x = self.lambda_to_local.get(*x).map(String::as_str);
            let paired_y = self.local_to_lambda.get(*y).map(String::as_str);
            if let Some(p) = paired_x.or_else(|| forward.get(x).copied())
                && p != *y
            {
                return Some(format!("`{x}` stood for `{p}` before, now for `{y}`"));
            }
            if let Some(p) = paired_y.or_else(|| backward.get(y).copied())
                && p != *x
            {
                return Some(format!("`{y}` stood for `{p}` before, now for `{x}`"));
            }
            forward.insert(x, y);
            backward.insert(y, x);
        }
        for (x, y) in forward {
            self.lambda_to_local.insert(x.to_owned(), y.to_owned());
            self.local_to_lambda.insert(y.to_owned(), x.to_owned());
        }
        None
    }

    /// A request written in the Lambda run's words, in the local run's.
    pub fn to_local(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (_, a, b) in &self.constants {
            text = text.replace(a, b);
        }
        let mut out = String::with_capacity(text.len());
        for word in split_keeping(&text) {
            out.push_str(self.lambda_to_local.get(word).map_or(word, String::as_str));
        }
        out
    }
}

/// Runs of letters, digits, `_` and `-`, and every other character on its own.
fn split_keeping(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        let w = is_word(c);
        if i > start && (!w || !in_word) {
            out.push(&text[start..i]);
            start = i;
        }
        in_word = w;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

fn words(text: &str) -> Vec<&str> {
    split_keeping(text)
}

/// Ids, tokens, signatures, generated access codes: long, with a digit or a capital. Words
/// people and the code write (`idempotency_key_reused`) have neither.
fn generated(word: &str) -> bool {
    word.len() >= 16
        && word
            .chars()
            .any(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

fn first_difference(a: &str, b: &str, at_a: usize, at_b: usize) -> String {
    let around = |s: &str, at: usize| {
        let start = s.floor_char_boundary(at.saturating_sub(40));
        let end = s.ceil_char_boundary((at + 80).min(s.len()));
        s[start..end].to_owned()
    };
    format!(
        "from character {at_a}: `{}` here, `{}` from the local server",
        around(a, at_a),
        around(b, at_b)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_words_pair_once_and_hold() {
        let mut aliases = Aliases::default();
        aliases.constant("base", "https://api.example", "http://127.0.0.1:3000");
        let lambda = r#"{"id":"0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","link":"https://api.example/g/AbCdEfGhIjKlMnOpQrStUv"}"#;
        let local = r#"{"id":"0193ffff-c3d4-7e5f-8a9b-0c1d2e3f4a5b","link":"http://127.0.0.1:3000/g/ZyXwVuTsRqPoNmLkJiHgFe"}"#;
        assert_eq!(aliases.compare(lambda, local), None);
        assert_eq!(
            aliases.to_local("/g/AbCdEfGhIjKlMnOpQrStUv/unlock"),
            "/g/ZyXwVuTsRqPoNmLkJiHgFe/unlock"
        );
        // The same token standing for another one later is a difference.
        assert!(
            aliases
                .compare(
                    r#"{"t":"AbCdEfGhIjKlMnOpQrStUv"}"#,
                    r#"{"t":"QQQQQQQQQQQQQQQQQQ1"}"#
                )
                .is_some()
        );
    }

    #[test]
    fn words_people_write_must_be_equal() {
        let mut aliases = Aliases::default();
        assert!(
            aliases
                .compare(r#"{"error":"not_found"}"#, r#"{"error":"forbidden"}"#)
                .is_some()
        );
        assert!(aliases.compare("Smith wedding", "Smith  wedding").is_some());
    }

    #[test]
    fn times_may_differ() {
        let mut aliases = Aliases::default();
        assert_eq!(
            aliases.compare(
                r#"{"at":"2026-12-06T19:50:50.123Z"}"#,
                r#"{"at":"2026-12-06T19:50:51Z"}"#
            ),
            None
        );
    }
}
