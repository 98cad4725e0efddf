/** Pseudo parameters (`Ref: AWS::Region` …), which depend on the Region and the stack. */
import {partitionOf} from '../regions.js';
import {noValue, type Scope} from './intrinsics.js';

export {partitionOf} from '../regions.js';

export const pseudoParameters = [
	'AWS::Region',
	'AWS::AccountId',
	'AWS::StackName',
	'AWS::StackId',
	'AWS::Partition',
	'AWS::URLSuffix',
	'AWS::NoValue',
	'AWS::NotificationARNs',
] as const;

export function pseudo(name: string, scope: Scope): unknown {
	switch (name) {
		case 'AWS::Region':
			return scope.region;
		case 'AWS::AccountId':
			return scope.accountId;
		case 'AWS::StackName':
			return scope.stackName;
		case 'AWS::StackId':
			return scope.stackId;
		case 'AWS::Partition':
			return partitionOf(scope.region).partition;
		case 'AWS::URLSuffix':
			return partitionOf(scope.region).urlSuffix;
		case 'AWS::NoValue':
			return noValue;
		case 'AWS::NotificationARNs':
			return [];
		default:
			return undefined;
	}
}
