import { diffConfig, instanceOptionsOf, overlayOptions, readConfig } from '../../../../lib/targets/elastic-beanstalk/options.js';

const EC2 = 'aws:ec2:instances';
const LC = 'aws:autoscaling:launchconfiguration';

describe('the instance type option', () => {
  it('an upgrade writes aws:ec2:instances InstanceTypes and removes the obsolete InstanceType', () => {
    const snapshot = readConfig([{ Namespace: LC, OptionName: 'InstanceType', Value: 't3.micro' }]);
    const want = {
      environmentVariables: {},
      instanceOptions: overlayOptions(snapshot.instanceOptions, instanceOptionsOf({ instanceType: 'm5.2xlarge' })),
    };
    expect(diffConfig(snapshot, want)).toEqual({
      OptionSettings: [{ Namespace: EC2, OptionName: 'InstanceTypes', Value: 'm5.2xlarge' }],
      OptionsToRemove: [{ Namespace: LC, OptionName: 'InstanceType' }],
    });
  });

  it.each([
    ['InstanceTypes', EC2, 't3.small,t3.micro'],
    ['InstanceType', LC, 't3.micro'],
  ])('a snapshot of an environment with %s restores that option', (name, namespace, value) => {
    const snapshot = readConfig([{ Namespace: namespace, OptionName: name, Value: value }]);
    const upgraded = readConfig([{ Namespace: EC2, OptionName: 'InstanceTypes', Value: 'm5.2xlarge' }]);
    const back = diffConfig(upgraded, snapshot);
    expect(back.OptionSettings).toEqual([{ Namespace: namespace, OptionName: name, Value: value }]);
    expect(back.OptionsToRemove).toEqual(name === 'InstanceTypes' ? [] : [{ Namespace: EC2, OptionName: 'InstanceTypes' }]);
  });
});
