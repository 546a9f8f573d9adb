import {
  busiestCpuPercent,
  memorySearch,
  readApplicationMetrics,
  readEnvironmentHealth,
  targetMetrics,
} from '../../../../lib/targets/elastic-beanstalk/measure.js';
import { restoreStateOf, parseDescription, versionDescription, versionLabel } from '../../../../lib/targets/elastic-beanstalk/names.js';
import { diffConfig, readConfig } from '../../../../lib/targets/elastic-beanstalk/options.js';
import { readFileSync } from 'node:fs';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/aws/${name}`, import.meta.url), 'utf8'));

describe('Elastic Beanstalk measurements', () => {
  it('reads enhanced health in ms and %', () => {
    expect(readEnvironmentHealth(fixture('eb-environment-health.json'))).toEqual({
      status: 'Ok',
      color: 'Green',
      causes: [],
      requestCount: 200,
      p90LatencyMs: 880,
      slowest5PercentMeanLatencyMs: 1204,
      p99LatencyMs: 2310,
      http5xxPercent: 0.5,
    });
  });

  it('has no latency or error share without requests: the gate falls back to the smoke requests', () => {
    const health = readEnvironmentHealth({ HealthStatus: 'NoData', Color: 'Grey', ApplicationMetrics: { Duration: 10, RequestCount: 0 } });
    expect(health).toMatchObject({ requestCount: 0, slowest5PercentMeanLatencyMs: null, http5xxPercent: null });
    expect(targetMetrics(health)).toEqual({});
    expect(readApplicationMetrics(undefined).requestCount).toBeNull();
  });

  it('takes the busiest instance for CPU, null without data', () => {
    expect(busiestCpuPercent(fixture('eb-instances-health.json').InstanceHealthList)).toBe(46);
    expect(busiestCpuPercent([{ InstanceId: 'i-1' }])).toBeNull();
  });

  it('searches the agent memory metric of exactly these instances', () => {
    expect(memorySearch(['i-1', 'i-2'])).toBe(
      `SEARCH('Namespace="CWAgent" MetricName="mem_used_percent" (InstanceId="i-1" OR InstanceId="i-2")', 'Maximum', 60)`,
    );
  });
});

describe('Elastic Beanstalk names and options', () => {
  const digest = 'f'.repeat(64);

  it('labels a version with a digest prefix and reads the description back', () => {
    expect(versionLabel('1.2.0', digest)).toBe('1.2.0-ffffffffffff');
    expect(parseDescription(versionDescription({ version: '1.2.0', digest }))).toEqual({ version: '1.2.0', digest });
    expect(parseDescription('deployed by hand')).toBeNull();
  });

  it('reads variables and instance options from the configuration, resource-scoped or not', () => {
    const config = readConfig(fixture('eb-configuration-settings.json').ConfigurationSettings[0].OptionSettings);
    expect(config.environmentVariables).toEqual({ PYTHONUNBUFFERED: '1', FLASK_ENV: 'production', ML_AVAILABLE: 'false' });
    expect(config.instanceOptions.map((o) => `${o.name}=${o.value}`)).toEqual([
      'InstanceTypes=null',
      'InstanceType=t3.micro',
      'RootVolumeSize=null',
      'RootVolumeType=gp2',
      'RootVolumeIOPS=null',
      'RootVolumeThroughput=null',
      'MinSize=1',
      'MaxSize=1',
      'Cooldown=360',
    ]);
  });

  it('changes only what differs', () => {
    const config = readConfig(fixture('eb-configuration-settings.json').ConfigurationSettings[0].OptionSettings);
    expect(diffConfig(config, { environmentVariables: { ML_AVAILABLE: 'false' }, instanceOptions: [] })).toEqual({
      OptionSettings: [],
      OptionsToRemove: [],
    });
  });

  it('restores a release without targetState from its version and settings', () => {
    const release = { name: 'a', version: '1.0.0', digest, source: { kind: 'dir' as const, path: '/x' }, settings: { A: '1' } };
    expect(restoreStateOf(release)).toEqual({ versionLabel: '1.0.0-ffffffffffff', environmentVariables: { A: '1' }, instanceOptions: [] });
  });
});
