/**
 * The structural checks CloudFormation makes before touching any resource ("Template format
 * error: …"), and the dependency order of resources (a cycle is an error).
 */
import {AwsError, ownEntry} from '../context.js';
import {pseudoParameters} from './intrinsics.js';
import {collectReferences} from './references.js';
import {resourceTypes} from './resources/index.js';
import {formatError, isObject, resourceAttributes, type Template} from './template.js';

const parameterTypes =
	/^(String|Number|CommaDelimitedList|List<Number>|List<String>|AWS::[A-Za-z0-9:]+|List<AWS::[A-Za-z0-9:]+>|AWS::SSM::Parameter::(Name|Value<[^>]+>))$/;

export function checkTemplate(template: Template): void {
	for (const [name, parameter] of Object.entries(template.Parameters)) {
		if (!isObject(parameter) || typeof parameter.Type !== 'string') {
			throw formatError('Every Parameters object must contain a Type member.');
		}
		if (!parameterTypes.test(parameter.Type)) {
			throw formatError(`Unrecognized parameter type: ${parameter.Type}`);
		}
		if (!/^[A-Za-z0-9]+$/.test(name)) {
			throw formatError(`Parameter name ${name} is non alphanumeric.`);
		}
	}
	const resources = Object.entries(template.Resources);
	if (resources.length === 0) {
		throw formatError('At least one Resources member must be defined.');
	}
	const unsupported = new Set<string>();
	for (const [logicalId, resource] of resources) {
		if (!/^[A-Za-z0-9]+$/.test(logicalId)) {
			throw formatError(`Resource name ${logicalId} is non alphanumeric.`);
		}
		if (!isObject(resource) || typeof resource.Type !== 'string') {
			throw formatError(
				`[/Resources/${logicalId}] Every Resources object must contain a Type member.`,
			);
		}
		const extra = Object.keys(resource).filter((key) => !resourceAttributes.includes(key));
		if (extra.length > 0) {
			throw formatError(
				`[/Resources/${logicalId}] Invalid resource attribute(s) [${extra.join(', ')}]`,
			);
		}
		if (!Object.hasOwn(resourceTypes, resource.Type)) {
			unsupported.add(resource.Type);
		}
		if (resource.Properties !== undefined && !isObject(resource.Properties)) {
			throw formatError(
				`[/Resources/${logicalId}/Properties] Every Properties member must be an object.`,
			);
		}
		const policy = resource.DeletionPolicy;
		if (
			policy !== undefined &&
			!['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'].includes(policy)
		) {
			throw formatError(`Unrecognized DeletionPolicy ${String(policy)} for resource ${logicalId}`);
		}
	}
	if (unsupported.size > 0) {
		throw formatError(
			`Unrecognized resource types: [${[...unsupported].join(', ')}]. The kms-tui sandbox supports only ${Object.keys(resourceTypes).join(' and ')}.`,
		);
	}
	for (const [name, output] of Object.entries(template.Outputs)) {
		if (!isObject(output) || output.Value === undefined) {
			throw formatError(`Every Outputs member must contain a Value object (${name}).`);
		}
	}
	checkReferences(template);
	dependencyOrder(template, Object.keys(template.Resources));
}

function checkReferences(template: Template): void {
	const known = new Set<string>([
		...pseudoParameters,
		...Object.keys(template.Parameters),
		...Object.keys(template.Resources),
	]);
	const conditionNames = new Set(Object.keys(template.Conditions));
	const check = (value: unknown, block: string) => {
		const references = collectReferences(value);
		const unresolved = [...new Set(references.refs.filter((name) => !known.has(name)))];
		if (unresolved.length > 0) {
			throw formatError(
				`Unresolved resource dependencies [${unresolved.join(', ')}] in the ${block} block of the template`,
			);
		}
		for (const [logicalId, attribute] of references.getAtts) {
			const resource = ownEntry(template.Resources, logicalId);
			if (!resource) {
				throw new AwsError(
					'ValidationError',
					`Template error: instance of Fn::GetAtt references undefined resource ${logicalId}`,
				);
			}
			const type = ownEntry(resourceTypes, resource.Type);
			if (type && !type.attributes.includes(attribute)) {
				throw new AwsError(
					'ValidationError',
					`Template error: resource ${logicalId} does not support attribute type ${attribute} in Fn::GetAtt`,
				);
			}
		}
		for (const name of references.conditions) {
			if (!conditionNames.has(name)) {
				throw new AwsError(
					'ValidationError',
					`Template error: unresolved condition dependency ${name} in Fn::If`,
				);
			}
		}
	};
	for (const [logicalId, resource] of Object.entries(template.Resources)) {
		check(resource.Properties ?? {}, 'Resources');
		const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
		const missing = dependsOn.filter((name) => !Object.hasOwn(template.Resources, name));
		if (missing.length > 0) {
			throw formatError(
				`Unresolved resource dependencies [${missing.join(', ')}] in the Resources block of the template`,
			);
		}
		if (resource.Condition !== undefined && !conditionNames.has(resource.Condition)) {
			throw formatError(
				`Unresolved dependencies [${resource.Condition}]. Cannot reference resources in the Conditions block of the template (resource ${logicalId})`,
			);
		}
	}
	for (const output of Object.values(template.Outputs)) {
		check(output, 'Outputs');
		if (output.Condition !== undefined && !conditionNames.has(output.Condition)) {
			throw new AwsError(
				'ValidationError',
				`Template error: unresolved condition dependency ${output.Condition} in Outputs`,
			);
		}
	}
	for (const condition of Object.values(template.Conditions)) {
		const references = collectReferences(condition);
		const bad = references.refs.filter(
			(name) =>
				!Object.hasOwn(template.Parameters, name) &&
				!(pseudoParameters as readonly string[]).includes(name),
		);
		if (bad.length > 0 || references.getAtts.length > 0) {
			throw formatError(
				`Unresolved dependencies [${[...bad, ...references.getAtts.map(([id]) => id)].join(', ')}]. Cannot reference resources in the Conditions block of the template`,
			);
		}
	}
}

/** The resources a resource needs first: DependsOn plus every Ref/GetAtt/Sub to a resource. */
export function dependenciesOf(template: Template, logicalId: string): string[] {
	const resource = ownEntry(template.Resources, logicalId);
	if (!resource) {
		return [];
	}
	const references = collectReferences(resource.Properties ?? {});
	const names = [
		...(resource.DependsOn === undefined ? [] : [resource.DependsOn].flat()),
		...references.refs,
		...references.getAtts.map(([id]) => id),
	];
	return [
		...new Set(
			names.filter((name) => name !== logicalId && Object.hasOwn(template.Resources, name)),
		),
	];
}

/** Topological order of `names` (template order among independent ones); a cycle is an error. */
export function dependencyOrder(template: Template, names: readonly string[]): string[] {
	const wanted = new Set(names);
	const order: string[] = [];
	const state = new Map<string, 'visiting' | 'done'>();
	const visit = (name: string, path: string[]) => {
		const current = state.get(name);
		if (current === 'done') {
			return;
		}
		if (current === 'visiting') {
			const cycle = path.slice(path.indexOf(name));
			throw new AwsError(
				'ValidationError',
				`Circular dependency between resources: [${cycle.join(', ')}]`,
			);
		}
		state.set(name, 'visiting');
		for (const dependency of dependenciesOf(template, name)) {
			visit(dependency, [...path, dependency]);
		}
		state.set(name, 'done');
		if (wanted.has(name)) {
			order.push(name);
		}
	};
	for (const name of names) {
		visit(name, [name]);
	}
	return order;
}
