/**
 * The Deploy screen's state: a reducer over the phases of `aws cloudformation deploy` (form →
 * planning → confirm → running → finished), and the flow that drives StackService.deploy with
 * its confirm callback, its events and an AbortController.
 */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {useCallback, useEffect, useReducer, useRef} from 'react';
import {defaultTemplatePath} from '../config.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {toDisplayError} from '../hooks/use-task.js';
import type {
	DeployPlan,
	DeployResult,
	ServiceError,
	Services,
	StackEvent,
	TemplateParameter,
} from '../service/index.js';
import {parameterProblem} from '../template/parameter-rules.js';

export type DeployPhase =
	| {readonly name: 'loading'}
	| {readonly name: 'form'; readonly error?: ServiceError}
	| {readonly name: 'planning'}
	| {readonly name: 'confirm'; readonly plan: DeployPlan}
	| {readonly name: 'running'; readonly startedAt: number}
	| {readonly name: 'cancelling'}
	| {readonly name: 'cancelled'; readonly message: string}
	| {
			readonly name: 'finished';
			readonly result: DeployResult;
			readonly startedAt: number;
			readonly endedAt: number;
	  };

export type DeployState = {
	readonly templatePath: string;
	readonly templateBody: string;
	readonly parameters: readonly TemplateParameter[];
	readonly values: Readonly<Record<string, string>>;
	/** 0 is the template path; 1..n the parameters. */
	readonly focus: number;
	readonly phase: DeployPhase;
	readonly events: readonly StackEvent[];
	/** Incremented when the template is (re)loaded, so the fields remount with new defaults. */
	readonly formVersion: number;
};

type Action =
	| {type: 'template-loaded'; path: string; body: string; parameters: TemplateParameter[]}
	| {type: 'template-failed'; path: string; error: ServiceError}
	| {type: 'set-path'; path: string}
	| {type: 'set-value'; key: string; value: string}
	| {type: 'move-focus'; delta: number}
	| {type: 'phase'; phase: DeployPhase}
	| {type: 'event'; event: StackEvent}
	| {type: 'reset-events'};

export function deployReducer(state: DeployState, action: Action): DeployState {
	switch (action.type) {
		case 'template-loaded':
			return {
				...state,
				templatePath: action.path,
				templateBody: action.body,
				parameters: action.parameters,
				values: Object.fromEntries(action.parameters.map((p) => [p.key, p.defaultValue ?? ''])),
				focus: action.parameters.length > 0 ? 1 : 0,
				phase: {name: 'form'},
				formVersion: state.formVersion + 1,
			};
		case 'template-failed':
			return {...state, templatePath: action.path, phase: {name: 'form', error: action.error}};
		case 'set-path':
			return {...state, templatePath: action.path};
		case 'set-value':
			return {...state, values: {...state.values, [action.key]: action.value}};
		case 'move-focus': {
			const count = state.parameters.length + 1;
			return {...state, focus: (state.focus + action.delta + count) % count};
		}
		case 'phase':
			return {...state, phase: action.phase};
		case 'event':
			return {...state, events: [...state.events, action.event]};
		case 'reset-events':
			return {...state, events: []};
	}
}

/**
 * What CloudFormation would say about each filled-in value, by parameter key, worded for a form
 * field ("must be a number not greater than 30"). Empty fields are fine: the default applies.
 */
export function parameterProblems(state: DeployState): Record<string, string> {
	const problems: Record<string, string> = {};
	for (const parameter of state.parameters) {
		const value = state.values[parameter.key] ?? '';
		const problem =
			value === '' ? undefined : parameterProblem(parameter.key, parameter.rules, value);
		if (problem) {
			problems[parameter.key] = problem
				.replace(/^Parameter '?[^' ]+'? /, '')
				.replace(/^failed to satisfy constraint: /, '');
		}
	}
	return problems;
}

/** The --param flags for values that differ from the template defaults (the CLI hint). */
export function changedParameters(state: DeployState): string[] {
	return state.parameters
		.filter((p) => (state.values[p.key] ?? '') !== (p.defaultValue ?? ''))
		.flatMap((p) => ['--param', `${p.key}=${state.values[p.key] ?? ''}`]);
}

/**
 * After a cancel: read the stack again (with a fresh signal) and say where AWS was left, from
 * its status rather than from our phase (the abort may land just before ExecuteChangeSet).
 */
async function describeLeftState(services: Services, stackName: string): Promise<string> {
	const stack = await services.stacks.findStack(stackName).catch(() => undefined);
	if (!stack) return `Cancelled before anything was deployed: there is no stack ${stackName}.`;
	if (stack.status === 'REVIEW_IN_PROGRESS')
		return `Cancelled before the change set ran: nothing was deployed. Stack ${stackName} is REVIEW_IN_PROGRESS (an unexecuted change set); deploying again replaces it.`;
	if (stack.status.endsWith('_IN_PROGRESS'))
		return `Stopped watching. CloudFormation carries on with the deployment on its side: stack ${stackName} is ${stack.status}. Home (R) shows how it ends.`;
	return `Stopped watching; stack ${stackName} is ${stack.status}.`;
}

export function useDeployState() {
	const {services, settings} = useAppContext();
	const [state, dispatch] = useReducer(
		deployReducer,
		undefined,
		(): DeployState => ({
			templatePath: defaultTemplatePath(settings.cwd),
			templateBody: '',
			parameters: [],
			values: {},
			focus: 0,
			phase: {name: 'loading'},
			events: [],
			formVersion: 0,
		}),
	);
	const controllerRef = useRef<AbortController | undefined>(undefined);
	const confirmRef = useRef<((answer: boolean) => void) | undefined>(undefined);
	const stateRef = useRef(state);
	stateRef.current = state;

	const loadTemplate = useCallback(
		async (file: string) => {
			const resolved = path.resolve(settings.cwd, file);
			try {
				const body = await readFile(resolved, 'utf8');
				const parameters = await services.stacks.templateParameters(body);
				dispatch({type: 'template-loaded', path: resolved, body, parameters});
			} catch (error) {
				dispatch({type: 'template-failed', path: file, error: toDisplayError(error)});
			}
		},
		[services, settings.cwd],
	);

	useEffect(() => {
		void loadTemplate(stateRef.current.templatePath);
		return () => {
			// Leaving the screen (esc, quit) stops the work and answers a pending question with no.
			controllerRef.current?.abort();
			confirmRef.current?.(false);
		};
	}, [loadTemplate]);

	const start = useCallback(async () => {
		const {templateBody, values} = stateRef.current;
		const controller = new AbortController();
		controllerRef.current = controller;
		dispatch({type: 'reset-events'});
		dispatch({type: 'phase', phase: {name: 'planning'}});
		let startedAt = Date.now();
		try {
			const result = await services.stacks.deploy({
				stackName: settings.stackName,
				templateBody,
				// Empty fields are left out, so the template default (or the previous value) applies.
				parameters: Object.fromEntries(Object.entries(values).filter(([, value]) => value !== '')),
				signal: controller.signal,
				onEvent: (event) => dispatch({type: 'event', event}),
				confirm: (plan) =>
					new Promise<boolean>((resolve) => {
						confirmRef.current = (answer) => {
							confirmRef.current = undefined;
							if (answer) {
								startedAt = Date.now();
								dispatch({type: 'phase', phase: {name: 'running', startedAt}});
							}
							resolve(answer);
						};
						dispatch({type: 'phase', phase: {name: 'confirm', plan}});
					}),
			});
			dispatch({type: 'phase', phase: {name: 'finished', result, startedAt, endedAt: Date.now()}});
		} catch (error) {
			if (!controller.signal.aborted) {
				dispatch({type: 'phase', phase: {name: 'form', error: toDisplayError(error)}});
				return;
			}
			const message = await describeLeftState(services, settings.stackName);
			dispatch({type: 'phase', phase: {name: 'cancelled', message}});
		}
	}, [services, settings.stackName]);

	return {
		state,
		setPath: (file: string) => dispatch({type: 'set-path', path: file}),
		setValue: (key: string, value: string) => dispatch({type: 'set-value', key, value}),
		moveFocus: (delta: number) => dispatch({type: 'move-focus', delta}),
		loadTemplate,
		start,
		answer: (isYes: boolean) => confirmRef.current?.(isYes),
		cancel: () => {
			if (confirmRef.current) {
				confirmRef.current(false);
				return;
			}
			controllerRef.current?.abort();
			dispatch({type: 'phase', phase: {name: 'cancelling'}});
		},
		backToForm: () => dispatch({type: 'phase', phase: {name: 'form'}}),
	};
}
