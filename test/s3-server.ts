import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface S3Server {
  /** http://127.0.0.1:<port>, for path-style requests. */
  endpoint: string;
  bucket: string;
  /** The only credentials s3rver accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The Range header of every request that had one, in order. */
  ranges: string[];
  stop(): Promise<void>;
}

/** s3rver in this process, on a free loopback port, keeping its objects in a temporary directory. */
export async function startS3Server(bucket = 'vendor-drops'): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const s3rver = new S3rver({ directory, silent: true, configureBuckets: [{ name: bucket, configs: [] }] });
  await s3rver.configureBuckets();
  const ranges: string[] = [];
  const handle = s3rver.callback();
  // Our own server around s3rver's handler, so that tests can see the requests.
  const server = createServer((request, response) => {
    if (request.headers.range) ranges.push(request.headers.range);
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    ranges,
    async stop() {
      // The S3 client keeps connections alive; close() alone would wait for them to time out.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      await rm(directory, { recursive: true, force: true });
    },
  };
}
