import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { setAwsClientFactory } from '../../../lib/aws/clients.js';
import { fetchBundle } from '../../../lib/bundle/s3-fetch.js';
import { ConfigurationError } from '../../../lib/errors.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-s3-fetch-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));
afterEach(() => setAwsClientFactory(null));

describe('fetchBundle: the region of the bundle bucket (SDK mocked)', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());
  afterAll(() => s3.restore());

  const regionOfCall = async (i: number) => (s3.call(i).thisValue as S3Client).config.region();

  it("reads in the manifest's region with AWS_REGION unset", async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('zip')]) as never });
    const file = await fetchBundle({ bucket: 'b', key: 'k.zip', region: 'eu-west-1' }, home, {});
    expect(await readFile(file, 'utf8')).toBe('zip');
    expect(await regionOfCall(0)).toBe('eu-west-1');
    expect((s3.call(0).thisValue as S3Client).config.followRegionRedirects).toBe(true);
  });

  it("reads in the manifest's region when AWS_REGION names another", async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('zip')]) as never });
    await fetchBundle({ bucket: 'b', key: 'k.zip', region: 'ap-southeast-2' }, home, { AWS_REGION: 'us-east-1' });
    expect(await regionOfCall(0)).toBe('ap-southeast-2');
  });

  it("without the manifest's region, the environment's; without either, a line naming target.region", async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('zip')]) as never });
    await fetchBundle({ bucket: 'b', key: 'k.zip' }, home, { AWS_REGION: 'eu-north-1' });
    expect(await regionOfCall(0)).toBe('eu-north-1');
    await expect(fetchBundle({ bucket: 'b', key: 'k.zip' }, home, {})).rejects.toThrow(ConfigurationError);
    await expect(fetchBundle({ bucket: 'b', key: 'k.zip' }, home, {})).rejects.toThrow(
      /^no AWS region for the S3 bucket: set target\.region/,
    );
  });

  it('a redirect the SDK could not follow is a TargetError naming the object', async () => {
    s3.on(GetObjectCommand).rejects(
      new S3ServiceException({
        name: 'PermanentRedirect',
        $fault: 'client',
        $metadata: { httpStatusCode: 301 },
        message: 'must be addressed using the specified endpoint',
      }),
    );
    await expect(fetchBundle({ bucket: 'b', key: 'k.zip', region: 'us-east-1' }, home, {})).rejects.toMatchObject({
      name: 'TargetError',
      message: 'GetObject s3://b/k.zip: PermanentRedirect: must be addressed using the specified endpoint',
    });
  });
});

describe('fetchBundle over HTTP: a bucket in another region (AWS_ENDPOINT_URL_S3 → a local stub)', () => {
  let server: Server;
  const seen: { url: string; region: string }[] = [];
  const saved = { ...process.env };

  /** The region a SigV4 request was signed for: Credential=<key>/<date>/<region>/s3/aws4_request. */
  const signedRegion = (req: IncomingMessage) => /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\//.exec(req.headers.authorization ?? '')?.[1] ?? '';

  beforeAll(async () => {
    // S3 answers a request signed for the wrong region with 301 PermanentRedirect and the bucket's region.
    server = createServer((req, res) => {
      const region = signedRegion(req);
      seen.push({ url: req.url ?? '', region });
      if (region !== 'eu-west-1') {
        res.writeHead(301, { 'content-type': 'application/xml', 'x-amz-bucket-region': 'eu-west-1' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>',
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': '9' });
      res.end('zip bytes');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  });
  afterAll(async () => {
    process.env = saved;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('follows the 301 to the region in x-amz-bucket-region', async () => {
    setAwsClientFactory(null); // clients built before the endpoint was set are forgotten
    const file = await fetchBundle({ bucket: 'skin-bundles', key: 'ml-rollout/bundles/skin.zip', region: 'us-east-1' }, home, {});
    expect(await readFile(file, 'utf8')).toBe('zip bytes');
    expect(seen.map((s) => s.region)).toEqual(['us-east-1', 'eu-west-1']);
    expect(seen[1]?.url).toMatch(/^\/skin-bundles\/ml-rollout\/bundles\/skin\.zip/);
  });
});
