//! Outgoing e-mail: the [`Mailer`] trait, a real SMTP sender ([`SmtpMailer`], lettre over tokio, TLS by
//! rustls) and a file outbox ([`OutboxMailer`]) for development and the demo, plus the French templates
//! of the activation and reset messages.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// A message to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// Why a mail could not be sent.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MailError(pub String);

/// The future returned by [`Mailer::send`].
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), MailError>> + Send + 'a>>;

/// Something that delivers mail.
pub trait Mailer: Send + Sync + 'static {
    /// Sends one message.
    fn send(&self, mail: Mail) -> SendFuture<'_>;
}

fn build(from: &Mailbox, mail: &Mail) -> Result<Message, MailError> {
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e: lettre::address::AddressError| MailError(e.to_string()))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(|e| MailError(e.to_string()))
}

/// Sends through an SMTP server.
pub struct SmtpMailer {
    from: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    /// `url`: `smtp://host:port` (plain, local relay), `smtp://host:port?tls=required` (STARTTLS),
    /// `smtps://user:pass@host` (implicit TLS).
    pub fn new(url: &str, from: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError(e.to_string()))?
            .build();
        let from = from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailError(e.to_string()))?;
        Ok(Self { from, transport })
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, mail: Mail) -> SendFuture<'_> {
        Box::pin(async move {
            let message = build(&self.from, &mail)?;
            self.transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError(e.to_string()))
        })
    }
}

/// Writes each message as an `.eml` file into a directory (development and demo: no SMTP server needed).
pub struct OutboxMailer {
    from: Mailbox,
    dir: PathBuf,
}

impl OutboxMailer {
    /// Creates the directory if needed (private: the messages hold live links).
    pub fn new(dir: PathBuf, from: &str) -> Result<Self, MailError> {
        crate::private_files::private_dir(&dir).map_err(|e| MailError(e.to_string()))?;
        let from = from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailError(e.to_string()))?;
        Ok(Self { from, dir })
    }
}

impl Mailer for OutboxMailer {
    fn send(&self, mail: Mail) -> SendFuture<'_> {
        Box::pin(async move {
            let message = build(&self.from, &mail)?;
            let safe: String = mail
                .to
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let name = format!("{}-{safe}.eml", uuid::Uuid::now_v7().simple());
            let path = self.dir.join(name);
            let (file, bytes) = (path.clone(), message.formatted());
            tokio::task::spawn_blocking(move || crate::private_files::write_private(&file, &bytes))
                .await
                .map_err(|e| MailError(e.to_string()))?
                .map_err(|e| MailError(e.to_string()))?;
            tracing::info!(to = %mail.to, file = %path.display(), "mail written to the outbox");
            Ok(())
        })
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn message(
    to: &str,
    subject: &str,
    greeting: &str,
    lines: &[&str],
    link: &str,
    action: &str,
) -> Mail {
    let text = format!(
        "{greeting}\n\n{}\n\n{action} : {link}\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n\n— L'équipe Rempla\n",
        lines.join("\n")
    );
    let paragraphs = lines.iter().fold(String::new(), |mut out, l| {
        use std::fmt::Write;
        let _ = write!(out, "<p>{}</p>", escape(l));
        out
    });
    let html = format!(
        "<!DOCTYPE html><html lang=\"fr\"><body><p>{}</p>{paragraphs}<p><a href=\"{}\">{}</a></p>\
         <p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.</p><p>— L'équipe Rempla</p></body></html>",
        escape(greeting),
        escape(link),
        escape(action)
    );
    Mail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text,
        html,
    }
}

/// The activation message sent at sign-up (and to invited members).
pub fn activation(to: &str, name: &str, link: &str, hours: u32) -> Mail {
    message(
        to,
        "Activez votre compte Rempla",
        &format!("Bonjour {name},"),
        &[
            "Votre compte Rempla a été créé.",
            &format!("Pour l'activer, ouvrez le lien ci-dessous (valable {hours} heures)."),
        ],
        link,
        "Activer mon compte",
    )
}

/// The reset message sent after "I lost my password".
pub fn reset(to: &str, name: &str, link: &str, hours: u32) -> Mail {
    message(
        to,
        "Réinitialisation de votre mot de passe Rempla",
        &format!("Bonjour {name},"),
        &[
            "Vous avez signalé la perte de votre mot de passe.",
            "Dès que vous en aurez choisi un nouveau, toutes vos sessions ouvertes seront fermées.",
            &format!(
                "Choisissez un nouveau mot de passe avec le lien ci-dessous (valable {hours} heures)."
            ),
        ],
        link,
        "Choisir un nouveau mot de passe",
    )
}

/// The invitation to join a facility. Everything in it is the server's: the facility's name as staff
/// verified it and the role's French name — never text the inviter typed, so an invitation cannot
/// carry someone else's message under Rempla's name.
pub fn invitation(to: &str, facility: &str, role: &str, link: &str, days: u32) -> Mail {
    message(
        to,
        &format!("Invitation à rejoindre {facility} sur Rempla"),
        "Bonjour,",
        &[
            &format!(
                "L'établissement « {facility} », vérifié par l'équipe Rempla, vous invite à rejoindre son équipe sur Rempla comme {role}."
            ),
            "Rien n'est fait sans votre accord : ouvrez le lien pour accepter ou refuser.",
            &format!("Cette invitation est valable {days} jours."),
        ],
        link,
        "Voir l'invitation",
    )
}

/// Sent instead of a second account when someone signs up with an address that has one: the owner
/// learns of the attempt and gets a way back in; the sign-up form answered as for any address.
pub fn already_registered(to: &str, name: &str, link: &str, hours: u32) -> Mail {
    message(
        to,
        "Vous avez déjà un compte Rempla",
        &format!("Bonjour {name},"),
        &[
            "Quelqu'un, peut-être vous, a demandé à créer un compte Rempla avec cette adresse. Elle en a déjà un : aucun autre n'a été créé.",
            &format!(
                "Connectez-vous avec votre mot de passe, ou choisissez-en un nouveau avec le lien ci-dessous (valable {hours} heures)."
            ),
        ],
        link,
        "Choisir un nouveau mot de passe",
    )
}

/// Sent instead of an account when a sign-up gives an RPPS number another account holds: only the
/// mailbox's owner learns it, and the staff can settle who the number belongs to.
pub fn rpps_taken(to: &str, rpps: &str, support: &str) -> Mail {
    message(
        to,
        "Votre inscription sur Rempla",
        "Bonjour,",
        &[
            &format!(
                "Le numéro RPPS {rpps} est déjà rattaché à un compte Rempla : aucun compte n'a été créé."
            ),
            "Si ce compte est le vôtre, connectez-vous avec son adresse. Sinon, écrivez à l'équipe Rempla : elle vérifiera l'identité de chacun et libérera le numéro s'il vous revient.",
        ],
        &format!("mailto:{support}"),
        "Écrire à l'équipe Rempla",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_french_and_carry_the_link() {
        let m = activation("a@b.fr", "Dr <Durand>", "http://x/activate?token=abc", 48);
        assert!(m.text.contains("http://x/activate?token=abc"));
        assert!(m.text.contains("valable 48 heures"));
        assert!(m.html.contains("Dr &lt;Durand&gt;"));
        assert!(m.html.contains("href=\"http://x/activate?token=abc\""));
        let r = reset("a@b.fr", "A", "http://x/r", 2);
        assert!(r.subject.contains("Réinitialisation"));
        assert!(
            !r.text.contains("ont été fermées"),
            "nothing is closed until the reset completes"
        );
        let i = invitation("a@b.fr", "CH <Nord>", "planificateur", "http://x/i?t=1", 7);
        assert!(i.html.contains("CH &lt;Nord&gt;") && i.text.contains("valable 7 jours"));
        assert!(i.text.contains("http://x/i?t=1"));
        let taken = rpps_taken("a@b.fr", "10000000001", "support@rempla.fr");
        assert!(taken.text.contains("mailto:support@rempla.fr"));
    }

    #[tokio::test]
    async fn outbox_writes_a_parsable_message() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = OutboxMailer::new(dir.path().join("out"), "Rempla <a@rempla.fr>").unwrap();
        mailer
            .send(activation("doc@example.fr", "A", "http://l", 1))
            .await
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path().join("out")).unwrap().collect();
        assert_eq!(files.len(), 1);
        let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
        assert!(text.contains("To: doc@example.fr"));
        assert!(text.contains("Subject: Activez votre compte Rempla"));
    }
}
