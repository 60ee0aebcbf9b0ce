//! Bounces (RFC 3464 delivery status notifications) as a remote mail
//! server sends them, and the delivery state they lead to.

use sealmail_api::admin::Delivery;

use super::{BOB, TestApp};

/// A bounce as Postfix writes one, sent back to `to`.
pub fn dsn(to: &str, action: &str, status: &str) -> String {
    format!(
        "Return-Path: <>\r\n\
         Delivered-To: {to}\r\n\
         From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n\
         To: {to}\r\n\
         Subject: Undelivered Mail Returned to Sender\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\r\n\
         \r\n\
         --B1\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\
         \r\n\
         This is the mail system at host mx.example.net.\r\n\
         I'm sorry to have to inform you that your message could not be delivered.\r\n\
         \r\n\
         --B1\r\n\
         Content-Type: message/delivery-status\r\n\
         \r\n\
         Reporting-MTA: dns; mx.example.net\r\n\
         Arrival-Date: Thu,  3 Dec 2026 08:00:00 +0000 (UTC)\r\n\
         \r\n\
         Final-Recipient: rfc822; {BOB}\r\n\
         Original-Recipient: rfc822;{BOB}\r\n\
         Action: {action}\r\n\
         Status: {status}\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 <{BOB}>: Recipient address\r\n\
         \x20   rejected: User unknown in local recipient table\r\n\
         \r\n\
         --B1\r\n\
         Content-Type: text/rfc822-headers\r\n\
         \r\n\
         Subject: Quarterly numbers\r\n\
         \r\n\
         --B1--\r\n"
    )
}

pub async fn delivery_of_bob(app: &TestApp, message_id: &str) -> Option<Delivery> {
    sealmail::messages::status(&app.state, message_id)
        .await
        .unwrap()
        .recipients[0]
        .delivery
        .clone()
}
