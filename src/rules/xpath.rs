//! XPath to CSS, for the XPath forms that site configs write (the
//! ftr-site-config importer's `strip:` and `body:` lines).
//!
//! What maps: `//` and `/` steps, `*`, `|`; in a predicate `@attr`,
//! `@attr='v'`, `@attr!='v'`, `contains(@attr,'v')`, `starts-with(@attr,'v')`,
//! the `contains(concat(' ',normalize-space(@class),' '),' w ')` class idiom,
//! `not(…)`, `and`, `or` and parentheses; a position as a step's first
//! predicate (`tag[n]` → `tag:nth-of-type(n)`, `*[n]` → `:nth-child(n)`).
//! A predicate is turned into a disjunction of CSS compounds (an `or` is two
//! selectors, an `and` of two `or`s four), and a path into every combination
//! of its steps' alternatives, so `//a[@x='1' or @y='2']//b` becomes
//! `a[x="1"] b, a[y="2"] b`; a translation of more than
//! [`MAX_ALTERNATIVES`] selectors is refused. Anything else (text(), axes,
//! positions after a filter, other functions) has no CSS equivalent and is
//! refused: `None`, never a selector that means something else.

/// The most selectors one XPath may become; beyond it the translation is
/// refused rather than written as a rule no one can read.
pub const MAX_ALTERNATIVES: usize = 16;

/// Translates the XPath forms sites use into a CSS selector list; `None`
/// when it has no equivalent.
pub fn xpath_to_css(xpath: &str) -> Option<String> {
    let mut all = Vec::new();
    for alt in split_top(xpath, '|') {
        all.extend(path_to_css(alt.trim())?);
        if all.len() > MAX_ALTERNATIVES {
            return None;
        }
    }
    Some(all.join(", "))
}

/// The characters of `s` outside quotes, each with the bracket and
/// parenthesis depth before it.
fn outside_quotes(s: &str) -> impl Iterator<Item = (usize, char, i32)> + '_ {
    let (mut depth, mut quote) = (0i32, None);
    s.char_indices().filter_map(move |(i, c)| match (quote, c) {
        (Some(q), c) if c == q => {
            quote = None;
            None
        }
        (Some(_), _) => None,
        (None, '\'' | '"') => {
            quote = Some(c);
            None
        }
        (None, c) => {
            let before = depth;
            match c {
                '[' | '(' => depth += 1,
                ']' | ')' => depth -= 1,
                _ => {}
            }
            Some((i, c, before))
        }
    })
}

/// Splits on `sep` outside brackets, parentheses and quotes.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c, depth) in outside_quotes(s) {
        if c == sep && depth == 0 {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Splits on the operator word `op` (`and`, `or`) standing between spaces
/// outside brackets, parentheses and quotes.
fn split_word<'s>(s: &'s str, op: &str) -> Vec<&'s str> {
    let spaced = format!(" {op} ");
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c, depth) in outside_quotes(s) {
        if c == ' ' && depth == 0 && i >= start && s[i..].starts_with(&spaced) {
            parts.push(&s[start..i]);
            start = i + spaced.len();
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Every way of picking one of `a` and one of `b`, written one after the
/// other with `join` between; `None` past [`MAX_ALTERNATIVES`].
fn combine(a: &[String], join: &str, b: &[String]) -> Option<Vec<String>> {
    if a.len() * b.len() > MAX_ALTERNATIVES {
        return None;
    }
    Some(
        a.iter()
            .flat_map(|x| b.iter().map(move |y| format!("{x}{join}{y}")))
            .collect(),
    )
}

fn path_to_css(path: &str) -> Option<Vec<String>> {
    let mut css = vec![String::new()];
    let mut rest = path;
    // A path starts at the root (`/`) or anywhere (`//`, or no slash).
    let mut first = true;
    while !rest.is_empty() {
        let descendant = if let Some(r) = rest.strip_prefix("//") {
            rest = r;
            true
        } else if let Some(r) = rest.strip_prefix('/') {
            rest = r;
            false
        } else if first {
            true
        } else {
            return None;
        };
        // The step runs to the next `/` outside brackets.
        let end = step_end(rest);
        let step = &rest[..end];
        rest = &rest[end..];
        let join = match (first, descendant) {
            (true, _) => "",
            (false, true) => " ",
            (false, false) => " > ",
        };
        first = false;
        css = combine(&css, join, &step_to_css(step)?)?;
    }
    (!css[0].is_empty()).then_some(css)
}

fn step_end(s: &str) -> usize {
    outside_quotes(s)
        .find(|&(_, c, depth)| c == '/' && depth == 0)
        .map_or(s.len(), |(i, _, _)| i)
}

/// A name CSS can write as it is: letters, digits, `-` and `_`, not
/// starting with a digit or `-`.
fn is_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// One step (`tag`, `*`, each with predicates) as its CSS alternatives.
fn step_to_css(step: &str) -> Option<Vec<String>> {
    let (name, mut preds) = match step.find('[') {
        Some(i) => (&step[..i], &step[i..]),
        None => (step, ""),
    };
    if name != "*" && !is_name(name) {
        return None;
    }
    let tag = if name == "*" {
        String::new()
    } else {
        name.to_ascii_lowercase()
    };
    let mut css = vec![tag.clone()];
    let mut first = true;
    while let Some(p) = preds.strip_prefix('[') {
        let end = closing_bracket(p)?;
        let inner = p[..end].trim();
        preds = &p[end + 1..];
        if let Some(n) = position(inner) {
            // A position counts the step's siblings before any filter, as
            // CSS does; after a filter it counts what the filter kept.
            if !first {
                return None;
            }
            let pseudo = if tag.is_empty() {
                "nth-child"
            } else {
                "nth-of-type"
            };
            css = vec![format!("{tag}:{pseudo}({n})")];
        } else {
            css = combine(&css, "", &predicate(inner)?)?;
        }
        first = false;
    }
    if !preds.is_empty() {
        return None;
    }
    Some(
        css.into_iter()
            .map(|c| if c.is_empty() { "*".to_string() } else { c })
            .collect(),
    )
}

/// A predicate that is a position (`1`, ` 2 `): the number, from 1.
fn position(s: &str) -> Option<u32> {
    s.parse::<u32>().ok().filter(|&n| n > 0)
}

/// The offset of the `]` that closes a predicate whose `[` was just passed.
fn closing_bracket(s: &str) -> Option<usize> {
    outside_quotes(s)
        .find(|&(_, c, depth)| c == ']' && depth == 0)
        .map(|(i, _, _)| i)
}

/// A predicate's expression as CSS compounds, any of which may match.
fn predicate(s: &str) -> Option<Vec<String>> {
    let mut any = Vec::new();
    for alt in split_word(s, "or") {
        let mut all = vec![String::new()];
        for part in split_word(alt, "and") {
            all = combine(&all, "", &primary(part.trim())?)?;
        }
        any.extend(all);
        if any.len() > MAX_ALTERNATIVES {
            return None;
        }
    }
    Some(any)
}

/// The end of the parenthesis that opens `s` (`s[0]` is `(`), when it is
/// the last character: `s` is one parenthesised expression.
fn wraps_all(s: &str) -> bool {
    s.starts_with('(')
        && outside_quotes(s)
            .find(|&(_, c, depth)| c == ')' && depth == 1)
            .is_some_and(|(i, _, _)| i == s.len() - 1)
}

fn primary(s: &str) -> Option<Vec<String>> {
    if wraps_all(s) {
        return predicate(s[1..s.len() - 1].trim());
    }
    if let Some(inner) = s.strip_prefix("not")
        && wraps_all(inner.trim_start())
    {
        // not(a or b) is not(a) and not(b).
        let inner = inner.trim_start();
        let negated = predicate(inner[1..inner.len() - 1].trim())?;
        let all: String = negated.iter().map(|c| format!(":not({c})")).collect();
        return Some(vec![all]);
    }
    condition(s).map(|c| vec![c])
}

/// A quoted XPath string literal's value, when CSS can write it in double
/// quotes: no quote of its own kind inside (that would be two literals
/// read as one), no `"` or `\`.
fn literal(s: &str) -> Option<&str> {
    let s = s.trim();
    let q = s.chars().next().filter(|&c| c == '\'' || c == '"')?;
    let v = s.strip_prefix(q)?.strip_suffix(q)?;
    (!v.contains([q, '"', '\\'])).then_some(v)
}

/// `@name`, when `name` is an attribute CSS can write as it is.
fn attribute(s: &str) -> Option<&str> {
    s.trim().strip_prefix('@').filter(|a| is_name(a))
}

/// A function call `name(a, b)` with two arguments.
fn call2<'s>(s: &'s str, name: &str) -> Option<(&'s str, &'s str)> {
    let args = s
        .strip_prefix(name)?
        .trim_start()
        .strip_prefix('(')?
        .strip_suffix(')')?;
    match split_top(args, ',')[..] {
        [a, b] => Some((a.trim(), b.trim())),
        _ => None,
    }
}

/// One comparison or test, as a CSS compound.
fn condition(cond: &str) -> Option<String> {
    if cond.starts_with('@') {
        if let Some((left, value)) = cond.split_once("!=") {
            let (attr, value) = (attribute(left)?, literal(value)?);
            return Some(format!("[{attr}]:not([{attr}=\"{value}\"])"));
        }
        if let Some((left, value)) = cond.split_once('=') {
            let (attr, value) = (attribute(left)?, literal(value)?);
            return Some(format!("[{attr}=\"{value}\"]"));
        }
        return attribute(cond).map(|attr| format!("[{attr}]"));
    }
    if let Some((target, value)) = call2(cond, "starts-with") {
        let (attr, value) = (attribute(target)?, literal(value)?);
        return (!value.is_empty()).then(|| format!("[{attr}^=\"{value}\"]"));
    }
    let (target, value) = call2(cond, "contains")?;
    let value = literal(value)?;
    if let Some(attr) = attribute(target) {
        return (!value.is_empty()).then(|| format!("[{attr}*=\"{value}\"]"));
    }
    // The whole-class idiom, in either kind of quotes.
    let compact: String = target
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect();
    let word = value.trim();
    (compact == "concat('',normalize-space(@class),'')" && !word.is_empty() && !word.contains(' '))
        .then(|| format!("[class~=\"{word}\"]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xpath_forms_that_map() {
        let cases = [
            ("//div", "div"),
            ("//div[@class='share']", "div[class=\"share\"]"),
            ("//*[@id='comments']", "[id=\"comments\"]"),
            ("//*", "*"),
            (
                "//div[contains(@class, 'related')]",
                "div[class*=\"related\"]",
            ),
            (
                "//div[contains(concat(' ',normalize-space(@class),' '),' promo ')]",
                "div[class~=\"promo\"]",
            ),
            (
                "//div[contains(concat(\" \",normalize-space(@class),\" \"),\" article-tag \")]",
                "div[class~=\"article-tag\"]",
            ),
            ("//div[@id='main']//p", "div[id=\"main\"] p"),
            ("//article/header", "article > header"),
            ("/html/body/div", "html > body > div"),
            ("//aside | //footer", "aside, footer"),
            (
                "//section[@class='x' and @data-role='y']",
                "section[class=\"x\"][data-role=\"y\"]",
            ),
            // Two literals in single quotes joined by `or`: two selectors,
            // not one value running from the first quote to the last.
            (
                "//*[@data-testid='byline-role' or @data-testid='drawer-background']",
                "[data-testid=\"byline-role\"], [data-testid=\"drawer-background\"]",
            ),
            (
                "//div[@a=\"x\" or @b=\"y\"]//span",
                "div[a=\"x\"] span, div[b=\"y\"] span",
            ),
            (
                "//div[contains(@class,'a') and (contains(@class,'b') or @id='c')]",
                "div[class*=\"a\"][class*=\"b\"], div[class*=\"a\"][id=\"c\"]",
            ),
            ("//*[(@class='storytitle')]", "[class=\"storytitle\"]"),
            ("//article[1]", "article:nth-of-type(1)"),
            ("//main/article[1]", "main > article:nth-of-type(1)"),
            ("//div[2][@class='x']", "div:nth-of-type(2)[class=\"x\"]"),
            ("//ul/*[3]", "ul > :nth-child(3)"),
            (
                "//my_widget[@data_role='ad']",
                "my_widget[data_role=\"ad\"]",
            ),
            ("//a[starts-with(@href, 'mailto:')]", "a[href^=\"mailto:\"]"),
            ("//div[not(@class='keep')]", "div:not([class=\"keep\"])"),
            ("//div[not(@a='1' or @b)]", "div:not([a=\"1\"]):not([b])"),
            (
                "//div[@class!='sub-title']",
                "div[class]:not([class=\"sub-title\"])",
            ),
            ("//DIV[@ID='x']", "div[ID=\"x\"]"),
        ];
        for (xpath, css) in cases {
            assert_eq!(xpath_to_css(xpath).as_deref(), Some(css), "{xpath}");
            assert!(scraper::Selector::parse(css).is_ok(), "{css}");
        }
    }

    #[test]
    fn xpath_forms_that_do_not_map() {
        for xpath in [
            "//p[text()='Share']",
            "//div/following-sibling::p",
            "//div[last()]",
            "(//p)[2]",
            "//div[@class='x'][1]",
            "//div[0]",
            "//p[contains(., 'Read more')]",
            "//a[contains(@href, '')]",
            "//span[@class='quote']/..",
            "//div[./a]",
            "//div[@a='x' or @b='y]",
            "//div[@a='it's']",
            "//div[@class=\"say \\\"hi\\\"\"]",
            "//1div",
            "",
        ] {
            assert_eq!(xpath_to_css(xpath), None, "{xpath}");
        }
    }

    #[test]
    fn translations_that_would_fan_out_too_far_are_refused() {
        // Three steps of three alternatives: 27 selectors.
        let step = "//div[@a='1' or @a='2' or @a='3']";
        assert!(xpath_to_css(&step.repeat(2)).is_some());
        assert_eq!(xpath_to_css(&step.repeat(3)), None);
    }

    /// What the translations mean, checked on a page: each selector picks
    /// the elements its XPath does.
    #[test]
    fn translations_pick_the_elements_their_xpath_does() {
        let page = scraper::Html::parse_document(
            "<main><article id=a1><p class='x lead'>one</p><p class=y>two</p></article>\
             <article id=a2><p>three</p></article></main>",
        );
        let pick = |xpath: &str| -> Vec<String> {
            let css = xpath_to_css(xpath).unwrap();
            let sel = scraper::Selector::parse(&css).unwrap();
            page.select(&sel)
                .map(|e| e.text().collect::<String>())
                .collect()
        };
        assert_eq!(pick("//main/article[1]//p"), ["one", "two"]);
        assert_eq!(pick("//article[2]/p"), ["three"]);
        assert_eq!(
            pick("//p[@class='y' or contains(@class,'lead')]"),
            ["one", "two"]
        );
        assert_eq!(pick("//article/p[not(@class)]"), ["three"]);
        assert_eq!(pick("//p[@class!='y']"), ["one"]);
    }
}
