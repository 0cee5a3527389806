// The customer's outgoing mail server, for instances that serve customers: a
// real SMTP server (Mailpit, tools/mailpit) on the Pods' bridge that only
// accepts mail after AUTH with the user and password the App's Secret holds.
// Mail it accepted is readable through its JSON API on loopback.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../scripts/function-process.js';
import { POD_GATEWAY } from './kubelet/pod-network.js';
import { eventually, type Processes } from './processes.js';

export interface MailRelay {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Subjects of the messages it accepted, newest first. */
  subjects: () => Promise<string[]>;
}

/** Subjects of what a Mailpit at `api` holds (its JSON API, /api/v1/messages). */
export async function mailpitSubjects(api: string): Promise<string[]> {
  const rsp = await fetch(`${api}/api/v1/messages`, { signal: AbortSignal.timeout(10_000) });
  if (!rsp.ok) throw new Error(`Mailpit at ${api} answered ${rsp.status}`);
  const body = (await rsp.json()) as { messages?: { Subject: string }[] };
  return (body.messages ?? []).map((m) => m.Subject);
}

export async function startMailRelay(dir: string, processes: Processes, mailpit: string): Promise<MailRelay> {
  const home = join(dir, 'mail-relay');
  mkdirSync(home, { recursive: true });
  const user = 'odoo@acme.example';
  const password = 'e2e-smtp-password-7c41';
  // htpasswd's {SHA} form, which Mailpit reads.
  writeFileSync(join(home, 'smtp-users'), `${user}:{SHA}${createHash('sha1').update(password).digest('base64')}\n`);
  const [port, http] = [await freePort(), await freePort()];
  processes.start('mail-relay', mailpit, [
    `--smtp=${POD_GATEWAY}:${port}`,
    `--listen=127.0.0.1:${http}`,
    `--database=${join(home, 'mailpit.db')}`,
    `--smtp-auth-file=${join(home, 'smtp-users')}`,
    // Odoo's configuration file knows STARTTLS or nothing; the relay has no certificate.
    '--smtp-auth-allow-insecure',
    '--disable-version-check',
  ]);
  const api = `http://127.0.0.1:${http}`;
  await eventually('the mail relay to answer', async () => (await mailpitSubjects(api), true), 30_000, 300);
  return { host: POD_GATEWAY, port, user, password, subjects: () => mailpitSubjects(api) };
}
