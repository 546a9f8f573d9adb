import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { awsClient, s3ClientFor, sdkConfig, setAwsClientFactory, type ClientSettings } from '../../../lib/aws/clients.js';
import { ConfigurationError } from '../../../lib/errors.js';

afterEach(() => setAwsClientFactory(null));

describe('awsClient', () => {
  it('builds every client with its region, the standard retry mode and 5 attempts', async () => {
    expect(sdkConfig({ region: 'eu-west-1' })).toEqual({ region: 'eu-west-1', retryMode: 'standard', maxAttempts: 5 });
    expect(sdkConfig({ maxAttempts: 1 })).toEqual({ retryMode: 'standard', maxAttempts: 1 });
    const client = awsClient(SNSClient, { region: 'eu-central-1' });
    expect(await client.config.region()).toBe('eu-central-1');
    expect(await client.config.maxAttempts()).toBe(5);
  });

  it('keeps one client per class and settings', () => {
    expect(awsClient(SNSClient, { region: 'eu-west-1' })).toBe(awsClient(SNSClient, { region: 'eu-west-1' }));
    expect(awsClient(SNSClient, { region: 'eu-west-1' })).not.toBe(awsClient(SNSClient, { region: 'us-east-1' }));
  });

  it('is replaceable in tests, and forgets the clients built before', () => {
    const before = awsClient(SNSClient, { region: 'eu-west-1' });
    const built: ClientSettings[] = [];
    setAwsClientFactory((Client, settings) => {
      built.push(settings);
      return new Client({ region: 'ap-south-1' });
    });
    const after = awsClient(SNSClient, { region: 'eu-west-1' });
    expect(after).not.toBe(before);
    expect(built).toEqual([{ region: 'eu-west-1' }]);
  });
});

describe('s3ClientFor', () => {
  it("uses the region given, whatever AWS_REGION says, and follows the bucket's redirect", async () => {
    const client = s3ClientFor(S3Client, 'eu-west-1', { AWS_REGION: 'us-east-1' });
    expect(await client.config.region()).toBe('eu-west-1');
    expect(client.config.followRegionRedirects).toBe(true);
  });

  it("falls back to the environment's region, and names target.region when there is none", async () => {
    expect(await s3ClientFor(S3Client, undefined, { AWS_REGION: 'eu-north-1' }).config.region()).toBe('eu-north-1');
    expect(() => s3ClientFor(S3Client, undefined, {})).toThrow(ConfigurationError);
    expect(() => s3ClientFor(S3Client, undefined, {})).toThrow(/target\.region/);
  });
});
