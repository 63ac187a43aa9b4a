import nodemailer from 'nodemailer';
import type { AlertNotice } from '../domain/alerts';
import { ChannelRefusedError, ChannelUnavailableError } from './channel-errors';
import type { AlertChannel } from './channels';
import type { AlertSettings } from './settings';
import { noticeHeadline, noticeText } from './notice-text';

type EmailSettings = NonNullable<AlertSettings['channels']['email']>;

const VARIABLES =
  'ALERT_SMTP_HOST, ALERT_SMTP_PORT, ALERT_SMTP_TLS, ALERT_SMTP_USER/PASSWORD, ALERT_EMAIL_FROM, ALERT_EMAIL_TO';

/** How nodemailer reports a failure: its code (EAUTH, ECONNECTION…) and the server's reply. */
interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message: string;
}

/** What the mail server said, without the password (which SMTP never echoes) or the message. */
function said(error: SmtpError): string {
  const response = error.response?.replace(/\s+/g, ' ').trim().slice(0, 120);
  return [error.code, response ?? error.message.slice(0, 120)].filter(Boolean).join(' ');
}

/**
 * SMTP's own rule: a 5xx reply is permanent (a login, sender or recipient refused), a 4xx one is
 * not; a refused login or TLS handshake is a setting to fix; the rest (no connection, a timeout)
 * may pass, and is retried.
 */
function classified(error: SmtpError): Error {
  const permanent =
    error.code === 'EAUTH' ||
    error.code === 'ETLS' ||
    error.code === 'ENOAUTH' ||
    (error.responseCode !== undefined && error.responseCode >= 500);
  return permanent
    ? new ChannelRefusedError(`alert channel email refused the notice (${said(error)}): check ${VARIABLES}`)
    : new ChannelUnavailableError(`alert channel email could not send the notice now (${said(error)})`);
}

/** Email over SMTP: one message per notice to every ALERT_EMAIL_TO address. */
export function emailChannel(settings: EmailSettings): AlertChannel {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.tls === 'implicit',
    requireTLS: settings.tls === 'starttls',
    ignoreTLS: settings.tls === 'none',
    auth: settings.auth ? { user: settings.auth.user, pass: settings.auth.password } : undefined,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  return {
    name: 'email',
    async deliver(notice: AlertNotice) {
      try {
        await transport.sendMail({
          from: settings.from,
          to: settings.to,
          subject: `${noticeHeadline(notice)}: ${notice.alert.summary}`.slice(0, 250),
          text: noticeText(notice),
          // The same on every retry, so a mail client can fold a repeat into the first.
          messageId: `<${notice.id}@record-sync>`,
          headers: { 'X-Record-Sync-Notice': notice.id },
        });
      } catch (error) {
        throw classified(error as SmtpError);
      }
    },
  };
}
