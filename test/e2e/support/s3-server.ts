// A real S3-compatible server for the backups: the Versity S3 Gateway
// (tools/versitygw) serving a directory of the test, on the Pods' bridge so
// the backup Jobs reach it as they would a bucket's endpoint. The test looks
// into the bucket over the S3 API too, with the same rclone the Jobs use.
// Tenants of TENANT_KEY_NAMESPACES get keys of their own (versitygw's
// internal IAM, role `user`), which the bucket's policy allows only their
// own prefix, as docs/devops.md (Backups and restore) tells a DevOps team to
// set up; the others use the server's root key.
import aws4 from 'aws4';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../scripts/function-process.js';
import { POD_GATEWAY } from './kubelet/pod-network.js';
import { eventually, type Processes } from './processes.js';

const run = promisify(execFile);

export interface S3Server {
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  /** rclone against the bucket, as remote "s3": output, or throws with stderr. Asynchronous: the node's containers keep running meanwhile. */
  rclone: (...args: string[]) => Promise<string>;
  /** Object names under a key prefix (a "directory"), sorted. */
  list: (prefix: string) => Promise<string[]>;
  /** The key of a tenant namespace of TENANT_KEY_NAMESPACES; the root key for the others. */
  keyOf: (namespace: string) => { accessKey: string; secretKey: string };
  /** rclone against the bucket with a tenant namespace's key. */
  rcloneAs: (namespace: string, ...args: string[]) => Promise<string>;
  /** Sets the bucket's policy: each tenant key may list, read, write and delete below its own prefix, and nothing else. */
  restrictTenantKeys: (prefixes: { namespace: string; prefix: string }[]) => Promise<void>;
}

/** Tenant namespaces with a key of their own. versitygw keeps a bucket policy in one extended attribute, which ext4 caps at 4 KiB: a few tenants, not the SaaS load's fifty. */
export const TENANT_KEY_NAMESPACES = ['acme', 'beta'] as const;

const tenantKey = (namespace: string) => ({ accessKey: `tenant-${namespace}`, secretKey: `tenant-${namespace}-secret-key` });

/** The bucket policy that confines each tenant key to its prefix (versitygw checks s3:prefix on listings). */
export function tenantBucketPolicy(bucket: string, prefixes: { namespace: string; prefix: string }[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: prefixes.flatMap(({ namespace, prefix }) => {
      const principal = { AWS: [tenantKey(namespace).accessKey] };
      return [
        { Effect: 'Allow', Principal: principal, Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], Resource: [`arn:aws:s3:::${bucket}/${prefix}*`] },
        { Effect: 'Allow', Principal: principal, Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`], Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } } },
      ];
    }),
  });
}

export async function startS3(dir: string, processes: Processes, binaries: { versitygw: string; rclone: string }): Promise<S3Server> {
  const data = join(dir, 's3');
  mkdirSync(data, { recursive: true });
  const port = await freePort();
  const accessKey = 'e2e-backups';
  const secretKey = 'e2e-backups-secret-key';
  // The tenants' accounts, in versitygw's internal IAM store (users.json in --iam-dir), as its admin API would write them.
  const iam = join(dir, 's3-iam');
  mkdirSync(iam, { recursive: true });
  const accounts = Object.fromEntries(TENANT_KEY_NAMESPACES.map((ns) => {
    const key = tenantKey(ns);
    return [key.accessKey, { access: key.accessKey, secret: key.secretKey, role: 'user' }];
  }));
  writeFileSync(join(iam, 'users.json'), JSON.stringify({ accessAccounts: accounts }));
  // The access log goes to a file of its own: the server never waits on anyone reading its output.
  processes.start('versitygw', binaries.versitygw, ['--quiet', '--access-log', join(dir, 'versitygw-access.log'), '--access', accessKey, '--secret', secretKey, '--iam-dir', iam, '--port', `${POD_GATEWAY}:${port}`, 'posix', data]);
  const endpoint = `http://${POD_GATEWAY}:${port}`;
  const keyOf = (namespace: string) => ((TENANT_KEY_NAMESPACES as readonly string[]).includes(namespace) ? tenantKey(namespace) : { accessKey, secretKey });
  const env = {
    ...process.env,
    RCLONE_CONFIG: join(dir, 'rclone.conf'),
    RCLONE_CONFIG_S3_TYPE: 's3',
    RCLONE_CONFIG_S3_PROVIDER: 'Other',
    RCLONE_CONFIG_S3_ENDPOINT: endpoint,
    RCLONE_CONFIG_S3_ACCESS_KEY_ID: accessKey,
    RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: secretKey,
    RCLONE_CONFIG_S3_FORCE_PATH_STYLE: 'true',
  };
  const rclone = async (...args: string[]) => (await run(binaries.rclone, args, { env, encoding: 'utf8', timeout: 120_000 })).stdout;
  const bucket = 'odoo-backups';
  // The DevOps team's bucket: created once, here, never by the Jobs.
  await eventually('the S3 server to create the bucket', async () => {
    await rclone('mkdir', `s3:${bucket}`);
    return true;
  }, 30_000, 500);
  const rcloneAs = async (namespace: string, ...args: string[]) => {
    const key = keyOf(namespace);
    const as = { ...env, RCLONE_CONFIG_S3_ACCESS_KEY_ID: key.accessKey, RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: key.secretKey, RCLONE_S3_NO_CHECK_BUCKET: 'true' };
    return (await run(binaries.rclone, args, { env: as, encoding: 'utf8', timeout: 120_000 })).stdout;
  };
  // PUT /<bucket>?policy, signed with the root key (SigV4 by aws4: rclone sets no bucket policies).
  const restrictTenantKeys = async (prefixes: { namespace: string; prefix: string }[]) => {
    const body = tenantBucketPolicy(bucket, prefixes);
    const url = new URL(endpoint);
    const signed = aws4.sign({ host: url.host, path: `/${bucket}?policy`, method: 'PUT', service: 's3', region: 'us-east-1', body, headers: { 'content-type': 'application/json' } }, { accessKeyId: accessKey, secretAccessKey: secretKey });
    const status = await new Promise<{ code: number; text: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: signed.path, method: 'PUT', headers: signed.headers as Record<string, string> }, (rsp) => {
        let text = '';
        rsp.on('data', (chunk: Buffer) => (text += chunk.toString()));
        rsp.on('end', () => resolve({ code: rsp.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error('PUT bucket policy: no answer from the S3 server in 30 s')));
      req.end(body);
    });
    if (status.code !== 200 && status.code !== 204) throw new Error(`PUT bucket policy: ${status.code} ${status.text}`);
  };
  return {
    endpoint,
    bucket,
    accessKey,
    secretKey,
    rclone,
    keyOf,
    rcloneAs,
    restrictTenantKeys,
    list: async (prefix) => {
      try {
        return (await rclone('lsf', '--files-only', `s3:${bucket}/${prefix}`)).split('\n').filter((l) => l !== '').sort();
      } catch {
        return [];
      }
    },
  };
}
