//! The emails Proofsheet sends, each written as a pair of templates under
//! `templates/email/`: a plain-text part and an HTML part (askama: checked at compile time,
//! HTML-escaped by file extension). Subjects are one line of Rust: they are a header, not a body.

use askama::Template;
use proofsheet_policy::Email;
use proofsheet_store::OutgoingEmail;

/// A client's invitation to their private link.
pub struct Invitation<'a> {
    /// The photographer's name, or a neutral stand-in when it can't be read.
    pub photographer: &'a str,
    /// The client's name, when the photographer gave one.
    pub client_name: Option<&'a str>,
    pub gallery_title: &'a str,
    pub link: &'a str,
}

#[derive(Template)]
#[template(path = "email/invitation.txt")]
struct InvitationText<'a> {
    m: &'a Invitation<'a>,
}

#[derive(Template)]
#[template(path = "email/invitation.html")]
struct InvitationHtml<'a> {
    m: &'a Invitation<'a>,
}

impl Invitation<'_> {
    pub fn to(&self, recipient: Email) -> Result<OutgoingEmail, askama::Error> {
        Ok(OutgoingEmail {
            to: recipient,
            subject: format!(
                "{} shared the gallery \"{}\" with you",
                self.photographer, self.gallery_title
            ),
            text: InvitationText { m: self }.render()?,
            html: InvitationHtml { m: self }.render()?,
        })
    }
}

/// A visitor's own link, after they gave their email on the general link (or asked again).
pub struct PersonalLink<'a> {
    pub photographer: &'a str,
    pub gallery_title: &'a str,
    pub link: &'a str,
}

#[derive(Template)]
#[template(path = "email/personal_link.txt")]
struct PersonalLinkText<'a> {
    m: &'a PersonalLink<'a>,
}

#[derive(Template)]
#[template(path = "email/personal_link.html")]
struct PersonalLinkHtml<'a> {
    m: &'a PersonalLink<'a>,
}

impl PersonalLink<'_> {
    pub fn to(&self, recipient: Email) -> Result<OutgoingEmail, askama::Error> {
        Ok(OutgoingEmail {
            to: recipient,
            subject: format!("Your link to \"{}\"", self.gallery_title),
            text: PersonalLinkText { m: self }.render()?,
            html: PersonalLinkHtml { m: self }.render()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("carol@example.com").unwrap()
    }

    #[test]
    fn the_invitation_names_the_gallery_and_carries_the_link_in_both_parts() {
        let mail = Invitation {
            photographer: "Anna Lee",
            client_name: Some("Carol"),
            gallery_title: "Smith wedding",
            link: "https://proofsheet.test/g/abc_DEF-123",
        }
        .to(email())
        .unwrap();
        assert_eq!(mail.to, email());
        assert_eq!(
            mail.subject,
            "Anna Lee shared the gallery \"Smith wedding\" with you"
        );
        assert!(mail.text.starts_with("Hello Carol,\n"), "{}", mail.text);
        assert!(
            mail.text
                .contains("\nhttps://proofsheet.test/g/abc_DEF-123\n")
        );
        assert!(
            mail.html
                .contains(r#"<a href="https://proofsheet.test/g/abc_DEF-123">"#),
            "{}",
            mail.html
        );
        assert!(mail.html.contains("Hello Carol,"), "{}", mail.html);
    }

    #[test]
    fn without_a_name_the_greeting_is_plain() {
        let mail = Invitation {
            photographer: "Anna Lee",
            client_name: None,
            gallery_title: "Smith wedding",
            link: "https://proofsheet.test/g/x",
        }
        .to(email())
        .unwrap();
        assert!(mail.text.starts_with("Hello,\n"), "{}", mail.text);
        assert!(mail.html.contains("Hello,"), "{}", mail.html);
    }

    #[test]
    fn names_and_titles_are_escaped_in_html_but_not_in_text() {
        let mail = Invitation {
            photographer: "Anna & Co",
            client_name: Some("<b>Carol</b>"),
            gallery_title: "\"Smith\" <script>alert(1)</script>",
            link: "https://proofsheet.test/g/x",
        }
        .to(email())
        .unwrap();
        assert!(!mail.html.contains("<script>"), "{}", mail.html);
        assert!(!mail.html.contains("<b>Carol"), "{}", mail.html);
        assert!(
            mail.html.contains("&#34;Smith&#34; &#60;script&#62;"),
            "{}",
            mail.html
        );
        assert!(
            mail.html.contains("Anna &#38; Co has shared"),
            "{}",
            mail.html
        );
        assert!(mail.text.contains("\"Smith\" <script>alert(1)</script>"));
        assert!(mail.text.contains("Anna & Co has shared"), "{}", mail.text);
    }

    #[test]
    fn the_personal_link_carries_the_link_and_escapes_the_title() {
        let mail = PersonalLink {
            photographer: "Anna Lee",
            gallery_title: "<i>Smith</i> wedding",
            link: "https://proofsheet.test/g/tok",
        }
        .to(email())
        .unwrap();
        assert_eq!(mail.subject, "Your link to \"<i>Smith</i> wedding\"");
        assert!(
            mail.text.contains("\nhttps://proofsheet.test/g/tok\n"),
            "{}",
            mail.text
        );
        assert!(
            mail.html
                .contains(r#"<a href="https://proofsheet.test/g/tok">"#)
        );
        assert!(!mail.html.contains("<i>Smith"), "{}", mail.html);
    }
}
