import { ec2InstanceType } from './zone-capacity-check';

describe('ec2InstanceType', () => {
  it('strips the managed services\' decorations from the EC2 type', () => {
    expect(ec2InstanceType('kafka.m7g.large')).toBe('m7g.large');
    expect(ec2InstanceType('r7g.large.search')).toBe('r7g.large');
    expect(ec2InstanceType('m5.xlarge')).toBe('m5.xlarge');
  });

  it('refuses what is no instance type', () => {
    expect(() => ec2InstanceType('kafka.serverless')).toThrow(RangeError);
    expect(() => ec2InstanceType('large')).toThrow(RangeError);
  });
});
