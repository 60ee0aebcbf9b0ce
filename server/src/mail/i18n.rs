//! The words of Sealmail's own mail, one table per language. The terms are
//! the glossary's (shared/glossary.md), and the sentences match the portal's
//! (src/i18n/), so the mail and the page that follows it speak alike.
//!
//! `{sender}`, `{organisation}` and `{minutes}` are filled in by
//! [`super::templates`]; everything else is used as written.

use sealmail_api::Language;

/// Every sentence of the notification and passcode mail in one language.
pub struct MailStrings {
    /// The heading of the notification (and its HTML `<title>`).
    pub protected_message: &'static str,
    /// `{sender}` has sent you a protected message.
    pub sent_you: &'static str,
    /// The button (and the text line before the link), unless the branding
    /// template names its own.
    pub read_message: &'static str,
    /// Below the button: how the recipient will sign in.
    pub passcode_needed: &'static str,
    /// Before the bare link, for a client that shows no button.
    pub link_fallback: &'static str,
    /// The passcode mail's subject.
    pub passcode_subject: &'static str,
    /// The passcode mail's first line.
    pub passcode_intro: &'static str,
    /// The label of the passcode in the HTML mail.
    pub passcode_label: &'static str,
    /// Valid for `{minutes}` minutes, once.
    pub passcode_valid: &'static str,
    /// What to do with a passcode nobody asked for.
    pub passcode_ignore: &'static str,
    /// The footer when the organisation is Sealmail itself.
    pub footer_sealmail: &'static str,
    /// The footer naming `{organisation}`.
    pub footer_organisation: &'static str,
    /// The link to the branding template's privacy statement.
    pub privacy_statement: &'static str,
    /// The read receipt's subject and heading: `{reader}` opened `{subject}`.
    pub receipt_subject: &'static str,
    /// The read receipt's text (`{reader}`, `{subject}`, `{time}` in UTC).
    pub receipt_body: &'static str,
}

/// The table for `language`.
pub const fn strings(language: Language) -> &'static MailStrings {
    match language {
        Language::En => &EN,
        Language::Nl => &NL,
        Language::Da => &DA,
        Language::Ja => &JA,
    }
}

const EN: MailStrings = MailStrings {
    protected_message: "This message is protected",
    sent_you: "{sender} has sent you a protected message.",
    read_message: "Read the message",
    passcode_needed: "To open it you will need a one-time passcode, which will be mailed to this address.",
    link_fallback: "If the button does not work, copy this link into your browser:",
    passcode_subject: "Your one-time passcode",
    passcode_intro: "Here is your one-time passcode to read a protected message:",
    passcode_label: "One-time passcode",
    passcode_valid: "It is valid for {minutes} minutes and works once.",
    passcode_ignore: "If you did not ask for it, you can ignore this mail.",
    footer_sealmail: "Message encryption by Sealmail.",
    footer_organisation: "Message encryption by {organisation}, with Sealmail.",
    privacy_statement: "Privacy statement",
    receipt_subject: "{reader} opened “{subject}”",
    receipt_body: "{reader} opened your protected message “{subject}” at {time} (UTC), after entering a one-time passcode.",
};

const NL: MailStrings = MailStrings {
    protected_message: "Dit bericht is beveiligd",
    sent_you: "{sender} heeft u een beveiligd bericht gestuurd.",
    read_message: "Het bericht lezen",
    passcode_needed: "Om het te openen hebt u een eenmalige wachtwoordcode nodig. Die wordt naar dit e-mailadres verzonden.",
    link_fallback: "Werkt de knop niet? Kopieer dan deze koppeling naar uw browser:",
    passcode_subject: "Uw eenmalige wachtwoordcode",
    passcode_intro: "Hier is uw eenmalige wachtwoordcode om een beveiligd bericht te lezen:",
    passcode_label: "Eenmalige wachtwoordcode",
    passcode_valid: "De code is {minutes} minuten geldig en werkt één keer.",
    passcode_ignore: "Hebt u deze code niet aangevraagd? Dan kunt u deze e-mail negeren.",
    footer_sealmail: "Berichtversleuteling door Sealmail.",
    footer_organisation: "Berichtversleuteling door {organisation}, met Sealmail.",
    privacy_statement: "Privacyverklaring",
    receipt_subject: "{reader} heeft “{subject}” geopend",
    receipt_body: "{reader} heeft uw beveiligde bericht “{subject}” geopend op {time} (UTC), na het invoeren van een eenmalige wachtwoordcode.",
};

const DA: MailStrings = MailStrings {
    protected_message: "Denne meddelelse er beskyttet",
    sent_you: "{sender} har sendt dig en beskyttet meddelelse.",
    read_message: "Læs meddelelsen",
    passcode_needed: "For at åbne den skal du bruge en engangsadgangskode, som sendes til denne mailadresse.",
    link_fallback: "Virker knappen ikke? Så kopiér dette link til din browser:",
    passcode_subject: "Din engangsadgangskode",
    passcode_intro: "Her er din engangsadgangskode til at læse en beskyttet meddelelse:",
    passcode_label: "Engangsadgangskode",
    passcode_valid: "Den er gyldig i {minutes} minutter og virker én gang.",
    passcode_ignore: "Hvis du ikke har bedt om den, kan du se bort fra denne mail.",
    footer_sealmail: "Meddelelseskryptering fra Sealmail.",
    footer_organisation: "Meddelelseskryptering fra {organisation} med Sealmail.",
    privacy_statement: "Erklæring om beskyttelse af personlige oplysninger",
    receipt_subject: "{reader} har åbnet “{subject}”",
    receipt_body: "{reader} har åbnet din beskyttede meddelelse “{subject}” {time} (UTC) efter at have indtastet en engangsadgangskode.",
};

const JA: MailStrings = MailStrings {
    protected_message: "このメッセージは保護されています",
    sent_you: "{sender} から保護されたメッセージが届いています。",
    read_message: "メッセージを読む",
    passcode_needed: "開くにはワンタイム パスコードが必要です。パスコードはこのメール アドレスに送信されます。",
    link_fallback: "ボタンが機能しない場合は、次のリンクをブラウザーにコピーしてください:",
    passcode_subject: "ワンタイム パスコード",
    passcode_intro: "保護されたメッセージを読むためのワンタイム パスコードです:",
    passcode_label: "ワンタイム パスコード",
    passcode_valid: "有効期間は {minutes} 分で、1 回だけ使用できます。",
    passcode_ignore: "このパスコードを要求していない場合は、このメールを無視してかまいません。",
    footer_sealmail: "Sealmail によるメッセージの暗号化",
    footer_organisation: "{organisation} によるメッセージの暗号化 (Sealmail)",
    privacy_statement: "プライバシーに関する声明",
    receipt_subject: "{reader} が「{subject}」を開きました",
    receipt_body: "{reader} がワンタイム パスコードを入力し、保護されたメッセージ「{subject}」を {time} (UTC) に開きました。",
};

#[cfg(test)]
mod tests {
    use super::*;

    fn all(s: &MailStrings) -> [&'static str; 13] {
        [
            s.protected_message,
            s.sent_you,
            s.read_message,
            s.passcode_needed,
            s.link_fallback,
            s.passcode_subject,
            s.passcode_intro,
            s.passcode_label,
            s.passcode_valid,
            s.passcode_ignore,
            s.footer_sealmail,
            s.footer_organisation,
            s.privacy_statement,
        ]
    }

    #[test]
    fn every_language_keeps_the_placeholders_the_templates_fill_in() {
        for language in Language::ALL {
            let s = strings(language);
            assert!(s.sent_you.contains("{sender}"), "{language}");
            assert!(s.passcode_valid.contains("{minutes}"), "{language}");
            assert!(
                s.footer_organisation.contains("{organisation}"),
                "{language}"
            );
            for text in all(s) {
                assert!(!text.trim().is_empty(), "{language}");
                // No stray placeholder such as a `{}` copied from the portal's tables.
                assert!(!text.contains("{}"), "{language}: {text}");
            }
        }
    }

    #[test]
    fn the_glossary_terms_are_used() {
        // Glossary: one-time passcode, Read the message, message encryption.
        assert!(NL.passcode_intro.contains("eenmalige wachtwoordcode"));
        assert_eq!(NL.read_message, "Het bericht lezen");
        assert!(NL.footer_sealmail.starts_with("Berichtversleuteling"));
        assert!(DA.passcode_intro.contains("engangsadgangskode"));
        assert_eq!(DA.read_message, "Læs meddelelsen");
        assert!(DA.footer_sealmail.starts_with("Meddelelseskryptering"));
        assert!(JA.passcode_intro.contains("ワンタイム パスコード"));
        assert_eq!(JA.read_message, "メッセージを読む");
        assert!(JA.footer_sealmail.contains("メッセージの暗号化"));
        assert_eq!(EN.protected_message, "This message is protected");
    }

    #[test]
    fn each_language_is_its_own_table() {
        let tables: Vec<_> = Language::ALL.iter().map(|l| all(strings(*l))).collect();
        for (i, a) in tables.iter().enumerate() {
            for b in &tables[i + 1..] {
                assert_ne!(a[1], b[1]);
            }
        }
    }
}
