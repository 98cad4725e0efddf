/**
 * The CloudFormation engine of the embedded sandbox: pure functions over one Region's state.
 * The server runs `tickKms`, then `tickCfn` (due stack steps), then `handleCfn`, inside one
 * locked transaction per request. Resources are made only through the KMS engine's operations,
 * so a key a stack creates is the key `aws kms describe-key` sees.
 */
import {AwsError, type RegionState, type RequestContext} from '../context.js';
import {
	createChangeSet,
	deleteChangeSet,
	describeChangeSet,
	executeChangeSet,
	listChangeSets,
} from './change-sets.js';
import {tickStacks} from './engine.js';
import type {Params} from './query.js';
import {
	describeStackEvents,
	describeStackResource,
	describeStackResources,
	describeStacks,
	getTemplate,
	getTemplateSummary,
	listStackResources,
	listStacks,
	validateTemplate,
} from './reads.js';
import {createStack, deleteStack, updateStack} from './stacks.js';
import {type CfnState, normaliseCfnState} from './state.js';
import {renderResponse} from './xml.js';

export type {CfnState} from './state.js';
export {emptyCfnState} from './state.js';
export {loadTemplateParser} from './template.js';

type Handler = (
	state: CfnState,
	ctx: RequestContext,
	params: Params,
) => Record<string, unknown> | undefined;

const handlers: Record<string, Handler> = {
	CreateStack: createStack,
	UpdateStack: updateStack,
	DeleteStack: deleteStack,
	DescribeStacks: (state, _ctx, params) => describeStacks(state, params),
	DescribeStackEvents: (state, _ctx, params) => describeStackEvents(state, params),
	DescribeStackResources: (state, _ctx, params) => describeStackResources(state, params),
	DescribeStackResource: (state, _ctx, params) => describeStackResource(state, params),
	ListStackResources: (state, _ctx, params) => listStackResources(state, params),
	ListStacks: (state, _ctx, params) => listStacks(state, params),
	GetTemplate: (state, _ctx, params) => getTemplate(state, params),
	GetTemplateSummary: (state, _ctx, params) => getTemplateSummary(state, params),
	ValidateTemplate: (_state, _ctx, params) => validateTemplate(params),
	CreateChangeSet: createChangeSet,
	DescribeChangeSet: (state, _ctx, params) => describeChangeSet(state, params),
	ExecuteChangeSet: executeChangeSet,
	DeleteChangeSet: (state, _ctx, params) => deleteChangeSet(state, params),
	ListChangeSets: (state, _ctx, params) => listChangeSets(state, params),
};

/** The actions the engine implements. */
export const cfnActions: readonly string[] = Object.keys(handlers);

/** Advances in-flight stack operations: every step whose time has come runs, in order. */
export function tickCfn(region: RegionState, ctx: RequestContext): void {
	normaliseCfnState(region.cfn);
	tickStacks(region.cfn, region, ctx);
}

/** Runs one action on the decoded form body and returns the whole XML response body. */
export function handleCfn(
	region: RegionState,
	ctx: RequestContext,
	params: Record<string, string>,
): string {
	normaliseCfnState(region.cfn);
	const action = params.Action ?? '';
	const handler = Object.hasOwn(handlers, action) ? handlers[action] : undefined;
	if (!handler) {
		throw new AwsError(
			'InvalidAction',
			`The action ${action} is not valid for this web service.`,
			400,
		);
	}
	return renderResponse(action, ctx.requestId, handler(region.cfn, ctx, params));
}
