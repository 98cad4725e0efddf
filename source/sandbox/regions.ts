/**
 * The AWS regions the sandbox accepts, and the partition each belongs to: the one place that
 * names them. A request signed for any other name is refused as AWS refuses it, so a typo in
 * `--region` is caught instead of silently creating an empty region in the state file.
 *
 * From the partitions of the AWS SDK for JavaScript v3 (@aws-sdk/core util-endpoints) and
 * botocore's endpoints.json, late 2026; the isolated (ISO) partitions are left out.
 */

export type Partition = {readonly partition: string; readonly urlSuffix: string};

const commercial: Partition = {partition: 'aws', urlSuffix: 'amazonaws.com'};

const partitions: ReadonlyArray<Partition & {readonly regions: readonly string[]}> = [
	{
		...commercial,
		regions: [
			'af-south-1',
			'ap-east-1',
			'ap-east-2',
			'ap-northeast-1',
			'ap-northeast-2',
			'ap-northeast-3',
			'ap-south-1',
			'ap-south-2',
			'ap-southeast-1',
			'ap-southeast-2',
			'ap-southeast-3',
			'ap-southeast-4',
			'ap-southeast-5',
			'ap-southeast-6',
			'ap-southeast-7',
			'ca-central-1',
			'ca-west-1',
			'eu-central-1',
			'eu-central-2',
			'eu-north-1',
			'eu-south-1',
			'eu-south-2',
			'eu-west-1',
			'eu-west-2',
			'eu-west-3',
			'il-central-1',
			'me-central-1',
			'me-south-1',
			'me-west-1',
			'mx-central-1',
			'sa-east-1',
			'sa-west-1',
			'us-east-1',
			'us-east-2',
			'us-west-1',
			'us-west-2',
		],
	},
	{partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn', regions: ['cn-north-1', 'cn-northwest-1']},
	{
		partition: 'aws-us-gov',
		urlSuffix: 'amazonaws.com',
		regions: ['us-gov-east-1', 'us-gov-west-1'],
	},
	{partition: 'aws-eusc', urlSuffix: 'amazonaws.eu', regions: ['eusc-de-east-1']},
];

const byRegion = new Map(
	partitions.flatMap(({regions, ...partition}) =>
		regions.map((region) => [region, partition] as const),
	),
);

export const awsRegions: readonly string[] = [...byRegion.keys()];

export function isAwsRegion(name: string): boolean {
	return byRegion.has(name);
}

/** The partition of a region the sandbox accepts (`aws` for any other name). */
export function partitionOf(region: string): Partition {
	return byRegion.get(region) ?? commercial;
}
