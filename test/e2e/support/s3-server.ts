// A real S3-compatible server for the backups: the Versity S3 Gateway
// (tools/versitygw) serving a directory of the test, on the Pods' bridge so
// the backup Jobs reach it as they would a bucket's endpoint. The test looks
// into the bucket over the S3 API too, with the same rclone the Jobs use.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync } from 'node:fs';
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
}

export async function startS3(dir: string, processes: Processes, binaries: { versitygw: string; rclone: string }): Promise<S3Server> {
  const data = join(dir, 's3');
  mkdirSync(data, { recursive: true });
  const port = await freePort();
  const accessKey = 'e2e-backups';
  const secretKey = 'e2e-backups-secret-key';
  // The access log goes to a file of its own: the server never waits on anyone reading its output.
  processes.start('versitygw', binaries.versitygw, ['--quiet', '--access-log', join(dir, 'versitygw-access.log'), '--access', accessKey, '--secret', secretKey, '--port', `${POD_GATEWAY}:${port}`, 'posix', data]);
  const endpoint = `http://${POD_GATEWAY}:${port}`;
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
  return {
    endpoint,
    bucket,
    accessKey,
    secretKey,
    rclone,
    list: async (prefix) => {
      try {
        return (await rclone('lsf', '--files-only', `s3:${bucket}/${prefix}`)).split('\n').filter((l) => l !== '').sort();
      } catch {
        return [];
      }
    },
  };
}
