//! The e-mail channel: notices rendered with the French template (plain text + HTML) and sent through
//! the server's [`Mailer`] (SMTP, or the outbox directory in development).

use std::sync::Arc;

use super::channel::{Channel, Destination, Outgoing, SendError, SendFuture, wrong_destination};
use crate::mail::{Mail, Mailer};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The e-mail of one notice.
pub fn render(to: &str, name: &str, message: &Outgoing, app_url: &str) -> Mail {
    let footer = "Vous recevez ce message parce que ce type de notification est activé dans « Mon profil » \
                  (Préférences de notification).";
    let text = format!(
        "Bonjour {name},\n\n{}\n\n{}\n\nOuvrir Rempla : {app_url}\n\n{footer}\n\n— L'équipe Rempla\n",
        message.title, message.body
    );
    let html = format!(
        "<!DOCTYPE html><html lang=\"fr\"><body><p>Bonjour {},</p><h2>{}</h2><p>{}</p>\
         <p><a href=\"{}\">Ouvrir Rempla</a></p><p><small>{}</small></p><p>— L'équipe Rempla</p></body></html>",
        escape(name),
        escape(&message.title),
        escape(&message.body).replace('\n', "<br>"),
        escape(app_url),
        escape(footer),
    );
    Mail {
        to: to.to_owned(),
        subject: format!("Rempla : {}", message.title),
        text,
        html,
    }
}

/// Sends notices by e-mail.
pub struct EmailChannel {
    mailer: Arc<dyn Mailer>,
    app_url: String,
}

impl EmailChannel {
    /// Over the server's mailer; `app_url` is put in every message.
    pub fn new(mailer: Arc<dyn Mailer>, app_url: &str) -> Self {
        Self {
            mailer,
            app_url: app_url.to_owned(),
        }
    }
}

impl Channel for EmailChannel {
    fn send<'a>(&'a self, to: &'a Destination, message: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let Destination::Email { address, name } = to else {
                return Err(wrong_destination());
            };
            let mail = render(address, name, message, &self.app_url);
            self.mailer
                .send(mail)
                .await
                .map_err(|e| SendError::retry("smtp", e.0))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_french_and_escaped() {
        let m = Outgoing {
            notice_id: "n".into(),
            kind: "proposal_received".into(),
            title: "Nouvelle proposition".into(),
            body: "Clinique <Saint-Jean> : 3 jours".into(),
            payload: serde_json::Value::Null,
            urgent: false,
            now_ms: 0,
        };
        let mail = render("a@b.fr", "Dr A", &m, "https://app.rempla.fr");
        assert_eq!(mail.subject, "Rempla : Nouvelle proposition");
        assert!(mail.text.contains("Bonjour Dr A,"));
        assert!(mail.text.contains("Clinique <Saint-Jean> : 3 jours"));
        assert!(mail.html.contains("Clinique &lt;Saint-Jean&gt;"));
        assert!(mail.html.contains("lang=\"fr\""));
    }
}
