import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { cpuOverWindow, newestValues } from '../../../lib/targets/aws-metrics.js';

const cw = mockClient(CloudWatchClient);
afterAll(() => cw.restore());
beforeEach(() => cw.reset());

const NOW = Date.parse('2025-06-01T12:00:00Z');
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000);

describe('newestValues', () => {
  it('takes the newest datapoint, the worst series of a search, null where there is none', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'memory', Label: 'i-1', Timestamps: [at(1), at(2)], Values: [61.2, 90] },
          { Id: 'memory', Label: 'i-2', Timestamps: [at(2), at(1)], Values: [10, 72.5] },
          { Id: 'cpu', Label: 'cpu', Timestamps: [], Values: [] },
        ],
        NextToken: 'more',
      })
      .resolvesOnce({ MetricDataResults: [{ Id: 'memory', Label: 'i-1', Timestamps: [at(4)], Values: [99] }] });
    const values = await newestValues(
      new CloudWatchClient({ region: 'eu-west-1' }),
      [
        { id: 'memory', expression: "SEARCH('x', 'Maximum', 60)" },
        { id: 'cpu', namespace: 'AWS/EC2', metric: 'CPUUtilization', dimensions: { InstanceId: 'i-1' }, stat: 'Maximum' },
      ],
      NOW,
      'test',
    );
    // i-1's newest is 61.2 (its older 90 and page-two 99 do not count), i-2's newest is 72.5.
    expect(values).toEqual({ memory: 72.5, cpu: null });
    expect(cw).toHaveReceivedCommandWith(GetMetricDataCommand, { StartTime: at(5), EndTime: new Date(NOW), ScanBy: 'TimestampDescending' });
    expect(cw).toHaveReceivedNthCommandWith(2, GetMetricDataCommand, { NextToken: 'more' });
  });

  it('never uses a datapoint older than the moment the phase became stable', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'memory', Label: 'i-1', Timestamps: [at(3), at(4)], Values: [40, 95] },
        { Id: 'latency', Label: 'latency', Timestamps: [at(1), at(3)], Values: [120, 900] },
      ],
    });
    const values = await newestValues(
      new CloudWatchClient({ region: 'eu-west-1' }),
      [
        { id: 'memory', expression: "SEARCH('x', 'Maximum', 60)" },
        { id: 'latency', namespace: 'AWS/SageMaker', metric: 'ModelLatency', dimensions: { EndpointName: 'e' }, stat: 'p95' },
      ],
      NOW,
      'test',
      at(2).getTime(),
    );
    // memory's datapoints are all from before (the previous version's): none; latency's fresh one only.
    expect(values).toEqual({ memory: null, latency: 120 });
  });

  it('asks nothing when there is nothing to ask', async () => {
    expect(await newestValues(new CloudWatchClient({ region: 'eu-west-1' }), [], NOW, 'test')).toEqual({});
    expect(cw).not.toHaveReceivedCommand(GetMetricDataCommand);
  });
});

describe('cpuOverWindow', () => {
  it('averages the readings of a bake window through the cursor', () => {
    const a = cpuOverWindow(null, 40);
    const b = cpuOverWindow(a.cursor as unknown as Record<string, unknown>, 80);
    const c = cpuOverWindow(b.cursor as unknown as Record<string, unknown>, null);
    expect([a.cpuPercent, b.cpuPercent, c.cpuPercent]).toEqual([40, 60, 60]);
    expect(c.cursor).toEqual({ cpuTotal: 120, cpuSamples: 2 });
    expect(cpuOverWindow(null, null).cpuPercent).toBeNull();
  });
});
