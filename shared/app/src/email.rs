//! The emails Proofsheet sends, each written as a pair of templates under
//! `templates/email/`: a plain-text part and an HTML part (askama: checked at compile time,
//! HTML-escaped by file extension). Subjects are one line of Rust: they are a header, not a body.

use askama::Template;
use proofsheet_policy::Email;
use proofsheet_policy::text::{one_line, without_hidden};
use proofsheet_store::{OutgoingEmail, PhotographerRecord};

/// An email as it is sent. Emails show names (titles, people's, file names), some stored before
/// they were cleaned: in one place for every email and field, nothing that draws nothing is
/// sent (see `proofsheet_policy::text`). The subject is one header line (CWE-93): what would
/// break it becomes a space.
fn outgoing(to: Email, subject: String, text: String, html: String) -> OutgoingEmail {
    OutgoingEmail {
        to,
        subject: one_line(&subject).into_owned(),
        text: without_hidden(&text).into_owned(),
        html: without_hidden(&html).into_owned(),
    }
}

/// Who a client's email comes from: the photographer's name, and their look.
pub struct Sender {
    /// Their name, or a neutral stand-in when it can't be read.
    pub name: String,
    pub look: EmailLook,
}

impl Sender {
    /// `photographer`'s, their logo's address under `base` (the public base URL).
    pub fn of(photographer: &PhotographerRecord, base: &str) -> Self {
        Self {
            name: photographer.name.to_string(),
            look: EmailLook::of(photographer, base),
        }
    }

    /// For a photographer who can't be read: `name` stands in, in Proofsheet's own look.
    pub fn gone(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            look: EmailLook::default(),
        }
    }
}

/// How a photographer's emails to their clients look: their logo over the message and their
/// accent colour on its buttons; without them, Proofsheet's dark grey and the name in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailLook {
    pub logo: Option<EmailLogo>,
    /// `#rrggbb`, dark enough for the buttons' white text (`proofsheet_policy::AccentColour`).
    pub accent: String,
}

/// A logo as an email shows it: at its lasting address (a logo file is never replaced, so an
/// email kept for years still shows the logo it was sent with), at most 48 px high.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailLogo {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

impl Default for EmailLook {
    fn default() -> Self {
        Self {
            logo: None,
            accent: "#222222".to_owned(),
        }
    }
}

impl EmailLook {
    /// How large an email shows a logo, in CSS pixels.
    const LOGO_BOX: (u32, u32) = (240, 48);

    pub fn of(photographer: &PhotographerRecord, base: &str) -> Self {
        let logo = photographer.logo.as_ref().map(|logo| {
            let (width, height) = logo.shown_within(Self::LOGO_BOX.0, Self::LOGO_BOX.1);
            EmailLogo {
                url: format!("{base}{}", logo.path(photographer.id)),
                width,
                height,
            }
        });
        Self {
            logo,
            accent: photographer
                .brand
                .accent
                .as_ref()
                .map_or_else(|| Self::default().accent, |a| a.as_str().to_owned()),
        }
    }
}

/// A client's invitation to their private link.
pub struct Invitation<'a> {
    /// The photographer's name, or a neutral stand-in when it can't be read.
    pub photographer: &'a str,
    pub look: &'a EmailLook,
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
        Ok(outgoing(
            recipient,
            format!(
                "{} shared the gallery \"{}\" with you",
                self.photographer, self.gallery_title
            ),
            InvitationText { m: self }.render()?,
            InvitationHtml { m: self }.render()?,
        ))
    }
}

/// A client login's news: the photographer released a gallery to them. It points at the login
/// page, not at the gallery's link: the email alone opens nothing, the access code does.
pub struct GalleryReleased<'a> {
    pub look: &'a EmailLook,
    pub photographer: &'a str,
    pub client_name: &'a str,
    pub gallery_title: &'a str,
    /// Sub-galleries released with it.
    pub subgalleries: usize,
    /// The photographer's login page (`/p/{slug}`).
    pub login_page: &'a str,
}

#[derive(Template)]
#[template(path = "email/gallery_released.txt")]
struct GalleryReleasedText<'a> {
    m: &'a GalleryReleased<'a>,
}

#[derive(Template)]
#[template(path = "email/gallery_released.html")]
struct GalleryReleasedHtml<'a> {
    m: &'a GalleryReleased<'a>,
}

impl GalleryReleased<'_> {
    pub fn to(&self, recipient: Email) -> Result<OutgoingEmail, askama::Error> {
        Ok(outgoing(
            recipient,
            format!(
                "{} added \"{}\" to your galleries",
                self.photographer, self.gallery_title
            ),
            GalleryReleasedText { m: self }.render()?,
            GalleryReleasedHtml { m: self }.render()?,
        ))
    }
}

/// A moment as people read it in an email: `8 December 2026, 14:05 UTC`.
pub fn human_date(unix_secs: u64) -> String {
    chrono::DateTime::from_timestamp(i64::try_from(unix_secs).unwrap_or(i64::MAX), 0)
        .map(|t| t.format("%-d %B %Y, %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// A day as people read it: `8 December 2026` (UTC).
pub fn human_day(unix_secs: u64) -> String {
    chrono::DateTime::from_timestamp(i64::try_from(unix_secs).unwrap_or(i64::MAX), 0)
        .map(|t| t.format("%-d %B %Y").to_string())
        .unwrap_or_default()
}

/// The photographer's news: a client reached a milestone in a gallery.
pub struct MilestoneReached<'a> {
    /// The client as the photographer knows them.
    pub client: &'a str,
    /// What happened, after the client's name (`opened the gallery for the first time`).
    pub sentence: &'a str,
    pub gallery_title: &'a str,
    pub gallery_id: &'a str,
}

#[derive(Template)]
#[template(path = "email/milestone.txt")]
struct MilestoneText<'a> {
    m: &'a MilestoneReached<'a>,
}

#[derive(Template)]
#[template(path = "email/milestone.html")]
struct MilestoneHtml<'a> {
    m: &'a MilestoneReached<'a>,
}

impl MilestoneReached<'_> {
    pub fn to(&self, recipient: Email) -> Result<OutgoingEmail, askama::Error> {
        Ok(outgoing(
            recipient,
            format!(
                "{} {} in \"{}\"",
                self.client, self.sentence, self.gallery_title
            ),
            MilestoneText { m: self }.render()?,
            MilestoneHtml { m: self }.render()?,
        ))
    }
}

/// A client's reminder that their link stops working soon.
pub struct ExpiryReminder<'a> {
    pub look: &'a EmailLook,
    pub photographer: &'a str,
    pub client_name: Option<&'a str>,
    pub gallery_title: &'a str,
    pub link: &'a str,
    /// When the link stops working, as people read dates.
    pub expires: String,
    /// How many days ahead this reminder was scheduled.
    pub days: u32,
}

#[derive(Template)]
#[template(path = "email/expiry_reminder.txt")]
struct ExpiryReminderText<'a> {
    m: &'a ExpiryReminder<'a>,
}

#[derive(Template)]
#[template(path = "email/expiry_reminder.html")]
struct ExpiryReminderHtml<'a> {
    m: &'a ExpiryReminder<'a>,
}

impl ExpiryReminder<'_> {
    pub fn to(&self, recipient: Email) -> Result<OutgoingEmail, askama::Error> {
        let when = if self.days == 1 {
            "tomorrow".to_owned()
        } else {
            format!("in {} days", self.days)
        };
        Ok(outgoing(
            recipient,
            format!(
                "\"{}\" closes {when}: download what you want to keep",
                self.gallery_title
            ),
            ExpiryReminderText { m: self }.render()?,
            ExpiryReminderHtml { m: self }.render()?,
        ))
    }
}

/// A visitor's own link, after they gave their email on the general link (or asked again).
pub struct VisitorLink<'a> {
    pub look: &'a EmailLook,
    pub photographer: &'a str,
    pub gallery_title: &'a str,
    pub link: &'a str,
}

#[derive(Template)]
#[template(path = "email/visitor_link.txt")]
struct VisitorLinkText<'a> {
    m: &'a VisitorLink<'a>,
}

#[derive(Template)]
#[template(path = "email/visitor_link.html")]
struct VisitorLinkHtml<'a> {
    m: &'a VisitorLink<'a>,
}

impl VisitorLink<'_> {
    pub fn to(&self, recipient: Email) -> Result<OutgoingEmail, askama::Error> {
        Ok(outgoing(
            recipient,
            format!("Your link to \"{}\"", self.gallery_title),
            VisitorLinkText { m: self }.render()?,
            VisitorLinkHtml { m: self }.render()?,
        ))
    }
}

/// A photographer's one-time link into the studio.
pub struct StudioSignIn<'a> {
    pub photographer: &'a str,
    /// `/studio/sign-in/{secret}`, in full.
    pub link: &'a str,
    pub minutes: u64,
}

#[derive(Template)]
#[template(path = "email/studio_sign_in.txt")]
struct StudioSignInText<'a> {
    m: &'a StudioSignIn<'a>,
}

#[derive(Template)]
#[template(path = "email/studio_sign_in.html")]
struct StudioSignInHtml<'a> {
    m: &'a StudioSignIn<'a>,
}

impl StudioSignIn<'_> {
    pub fn to(&self, recipient: Email) -> Result<OutgoingEmail, askama::Error> {
        Ok(outgoing(
            recipient,
            "Your link to sign in to Proofsheet".to_owned(),
            StudioSignInText { m: self }.render()?,
            StudioSignInHtml { m: self }.render()?,
        ))
    }
}

/// A photographer's sign-in address is being changed: to the new address, the link that
/// confirms it (`link`); to the old one, the notice (no link).
#[derive(Clone, Copy)]
pub struct StudioEmailChange<'a> {
    pub photographer: &'a str,
    pub old_email: &'a str,
    pub new_email: &'a str,
    /// `/studio/sign-in/{secret}`, in full; `None` in the notice to the old address.
    pub link: Option<&'a str>,
    pub minutes: u64,
}

#[derive(Template)]
#[template(path = "email/studio_email_change.txt")]
struct StudioEmailChangeText<'a> {
    m: &'a StudioEmailChange<'a>,
}

#[derive(Template)]
#[template(path = "email/studio_email_change.html")]
struct StudioEmailChangeHtml<'a> {
    m: &'a StudioEmailChange<'a>,
}

impl StudioEmailChange<'_> {
    pub fn to(&self, recipient: Email) -> Result<OutgoingEmail, askama::Error> {
        let subject = match self.link {
            Some(_) => "Confirm your new Proofsheet sign-in address",
            None => "Your Proofsheet sign-in address is being changed",
        };
        Ok(outgoing(
            recipient,
            subject.to_owned(),
            StudioEmailChangeText { m: self }.render()?,
            StudioEmailChangeHtml { m: self }.render()?,
        ))
    }
}

/// A client's download request is done: the links to its ZIPs, or the news that nothing could
/// be prepared, and which photos were left out.
pub struct DownloadReady<'a> {
    pub look: &'a EmailLook,
    pub photographer: &'a str,
    pub gallery_title: &'a str,
    /// `web`, `high` or `original`.
    pub resolution: &'a str,
    pub photos_asked: usize,
    pub photos_ready: usize,
    pub zips: Vec<ZipLink>,
    /// File names of the photos left out.
    pub left_out: Vec<String>,
    /// When the links stop working, as people read dates (`7 December 2026, 14:00 UTC`).
    pub expires: String,
}

/// One ZIP's link, with how the email names it (its file name).
pub struct ZipLink {
    pub label: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "email/download_ready.txt")]
struct DownloadReadyText<'a> {
    m: &'a DownloadReady<'a>,
}

#[derive(Template)]
#[template(path = "email/download_ready.html")]
struct DownloadReadyHtml<'a> {
    m: &'a DownloadReady<'a>,
}

impl DownloadReady<'_> {
    pub fn to(&self, recipient: Email) -> Result<OutgoingEmail, askama::Error> {
        let subject = if self.zips.is_empty() {
            format!(
                "Your download from \"{}\" could not be prepared",
                self.gallery_title
            )
        } else {
            format!(
                "Your photos from \"{}\" are ready to download",
                self.gallery_title
            )
        };
        Ok(outgoing(
            recipient,
            subject,
            DownloadReadyText { m: self }.render()?,
            DownloadReadyHtml { m: self }.render()?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("carol@example.com").unwrap()
    }

    /// Names stored before they were cleaned reach no inbox with a character that hides or
    /// turns text around: not in the subject, not in either body.
    #[test]
    fn names_in_an_email_hide_nothing() {
        let mail = Invitation {
            look: &EmailLook::default(),
            photographer: "Anna\u{200B} Lee",
            client_name: Some("Carol\u{202E}"),
            gallery_title: "Smith \u{202E}gnidnaw",
            link: "https://example.com/g/x",
        }
        .to(email())
        .unwrap();
        for part in [&mail.subject, &mail.text, &mail.html] {
            assert!(!part.contains(['\u{202E}', '\u{200B}']), "{part:?}");
        }
        assert_eq!(
            mail.subject,
            "Anna Lee shared the gallery \"Smith gnidnaw\" with you"
        );
    }

    #[test]
    fn an_address_change_is_confirmed_from_the_new_address_and_told_to_the_old() {
        let confirm = StudioEmailChange {
            photographer: "Anna Lee",
            old_email: "anna@old.example",
            new_email: "anna@new.example",
            link: Some("https://photos.example/studio/sign-in/s3cret"),
            minutes: 15,
        };
        let to_new = confirm
            .to(Email::parse("anna@new.example").unwrap())
            .unwrap();
        assert_eq!(
            to_new.subject,
            "Confirm your new Proofsheet sign-in address"
        );
        for body in [&to_new.text, &to_new.html] {
            assert!(
                body.contains("https://photos.example/studio/sign-in/s3cret"),
                "{body}"
            );
            assert!(body.contains("15 minutes"), "{body}");
        }
        let notice = StudioEmailChange {
            link: None,
            ..confirm
        }
        .to(Email::parse("anna@old.example").unwrap())
        .unwrap();
        assert_eq!(
            notice.subject,
            "Your Proofsheet sign-in address is being changed"
        );
        for body in [&notice.text, &notice.html] {
            // The old inbox never gets the link: whoever reads it can't confirm for the new one.
            assert!(!body.contains("sign-in/"), "{body}");
            assert!(body.contains("anna@new.example"), "{body}");
            assert!(body.contains("Sign out everywhere"), "{body}");
        }
    }

    #[test]
    fn a_milestone_names_the_client_the_moment_and_the_gallery() {
        let mail = MilestoneReached {
            client: "Carol <carol@example.com>",
            sentence: "opened the gallery for the first time",
            gallery_title: "Smith wedding",
            gallery_id: "g-1",
        }
        .to(email())
        .unwrap();
        assert_eq!(
            mail.subject,
            "Carol <carol@example.com> opened the gallery for the first time in \"Smith wedding\""
        );
        assert!(
            mail.text.starts_with("Carol <carol@example.com> opened"),
            "{}",
            mail.text
        );
        assert!(
            mail.html.contains("Carol &#60;carol@example.com&#62;")
                || mail.html.contains("Carol &lt;carol@example.com&gt;"),
            "{}",
            mail.html
        );
    }

    #[test]
    fn a_release_points_at_the_login_page_and_counts_sub_galleries() {
        let mail = GalleryReleased {
            look: &EmailLook::default(),
            photographer: "Anna Lee",
            client_name: "Carol <b>",
            gallery_title: "Smith wedding",
            subgalleries: 2,
            login_page: "https://proofsheet.test/p/anna-lee",
        }
        .to(email())
        .unwrap();
        assert_eq!(
            mail.subject,
            "Anna Lee added \"Smith wedding\" to your galleries"
        );
        assert!(mail.text.starts_with("Hello Carol <b>,\n"), "{}", mail.text);
        assert!(
            mail.text.contains("(with 2 sub-galleries)"),
            "{}",
            mail.text
        );
        assert!(mail.text.ends_with("\nhttps://proofsheet.test/p/anna-lee"));
        assert!(
            mail.html
                .contains(r#"<a href="https://proofsheet.test/p/anna-lee">"#)
        );
        assert!(mail.html.contains("Carol &#60;b&#62;") || mail.html.contains("Carol &lt;b&gt;"));
        let one = GalleryReleased {
            look: &EmailLook::default(),
            photographer: "A",
            client_name: "C",
            gallery_title: "T",
            subgalleries: 1,
            login_page: "https://x/p/a",
        }
        .to(email())
        .unwrap();
        assert!(one.text.contains("(with 1 sub-gallery)"), "{}", one.text);
    }

    #[test]
    fn the_invitation_names_the_gallery_and_carries_the_link_in_both_parts() {
        let mail = Invitation {
            look: &EmailLook::default(),
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

    fn ready(zips: usize, left_out: &[&str]) -> DownloadReady<'static> {
        static LOOK: std::sync::LazyLock<EmailLook> = std::sync::LazyLock::new(EmailLook::default);
        DownloadReady {
            look: &LOOK,
            photographer: "Anna Lee",
            gallery_title: "Smith <wedding>",
            resolution: "web",
            photos_asked: 3,
            photos_ready: 3 - left_out.len(),
            zips: (1..=zips)
                .map(|n| ZipLink {
                    label: format!("Smith wedding - web ({n} of {zips}).zip"),
                    link: format!("https://proofsheet.test/d/z{n}"),
                })
                .collect(),
            left_out: left_out.iter().map(|s| s.to_string()).collect(),
            expires: "8 December 2026".into(),
        }
    }

    #[test]
    fn the_download_email_carries_every_zip_link_and_names_what_was_left_out() {
        let mail = ready(2, &["IMG_2.jpg"]).to(email()).unwrap();
        assert_eq!(
            mail.subject,
            "Your photos from \"Smith <wedding>\" are ready to download"
        );
        for part in [&mail.text, &mail.html] {
            assert!(part.contains("https://proofsheet.test/d/z1"), "{part}");
            assert!(part.contains("https://proofsheet.test/d/z2"), "{part}");
            assert!(part.contains("2 photos"), "{part}");
            assert!(part.contains("IMG_2.jpg"), "{part}");
            assert!(part.contains("8 December 2026"), "{part}");
        }
        assert!(
            mail.html.contains("Smith &#60;wedding&#62;")
                || mail.html.contains("Smith &lt;wedding&gt;"),
            "{}",
            mail.html
        );
        assert!(mail.text.contains("\"Smith <wedding>\""), "{}", mail.text);
    }

    #[test]
    fn a_download_with_nothing_in_it_says_so_and_has_no_link() {
        let mail = ready(0, &["a.jpg", "b.jpg", "c.jpg"]).to(email()).unwrap();
        assert!(
            mail.subject.contains("could not be prepared"),
            "{}",
            mail.subject
        );
        for part in [&mail.text, &mail.html] {
            assert!(!part.contains("/d/"), "{part}");
            assert!(part.contains("Nothing was counted"), "{part}");
        }
    }

    #[test]
    fn without_a_name_the_greeting_is_plain() {
        let mail = Invitation {
            look: &EmailLook::default(),
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
            look: &EmailLook::default(),
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
    fn the_reminder_names_the_gallery_the_date_and_the_link() {
        let reminder = ExpiryReminder {
            look: &EmailLook::default(),
            photographer: "Anna Lee",
            client_name: Some("Carol"),
            gallery_title: "Smith <wedding>",
            link: "https://x.example/g/abc",
            expires: human_date(1_798_675_200),
            days: 7,
        };
        let email = reminder
            .to(Email::parse("carol@example.com").unwrap())
            .unwrap();
        assert_eq!(
            email.subject,
            "\"Smith <wedding>\" closes in 7 days: download what you want to keep"
        );
        assert!(
            email
                .text
                .contains("open until 31 December 2026, 00:00 UTC"),
            "{}",
            email.text
        );
        assert!(email.text.contains("https://x.example/g/abc"));
        assert!(
            email.html.contains("Smith &#60;wedding&#62;"),
            "{}",
            email.html
        );
        assert!(email.html.contains(r#"href="https://x.example/g/abc""#));
        let tomorrow = ExpiryReminder {
            look: &EmailLook::default(),
            days: 1,
            ..reminder
        };
        let email = tomorrow
            .to(Email::parse("carol@example.com").unwrap())
            .unwrap();
        assert!(email.subject.contains("closes tomorrow"));
        assert!(email.text.contains("That is tomorrow."));
    }

    #[test]
    fn the_visitor_link_carries_the_link_and_escapes_the_title() {
        let mail = VisitorLink {
            look: &EmailLook::default(),
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

    /// A photographer's logo heads their clients' emails at its lasting address, named by
    /// them, and their accent colours the buttons; without one, the name stands alone.
    #[test]
    fn a_client_email_carries_the_photographers_logo_and_colour() {
        let look = EmailLook {
            logo: Some(EmailLogo {
                url: "https://photos.example/brand/p/0123456789abcdef0123456789abcdef.png".into(),
                width: 192,
                height: 48,
            }),
            accent: "#1d4e89".into(),
        };
        let mail = Invitation {
            photographer: "Anna Lee",
            look: &look,
            client_name: None,
            gallery_title: "Wedding",
            link: "https://example.com/g/x",
        }
        .to(email())
        .unwrap();
        assert!(mail.html.contains(
            r#"<img src="https://photos.example/brand/p/0123456789abcdef0123456789abcdef.png" width="192" height="48" alt="Anna Lee""#
        ), "{}", mail.html);
        assert!(mail.html.contains("background: #1d4e89;"), "{}", mail.html);
        let plain = Invitation {
            photographer: "Anna Lee",
            look: &EmailLook::default(),
            client_name: None,
            gallery_title: "Wedding",
            link: "https://example.com/g/x",
        }
        .to(email())
        .unwrap();
        assert!(!plain.html.contains("<img"), "{}", plain.html);
        assert!(plain.html.contains("background: #222222;"));
    }
}
