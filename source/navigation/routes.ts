/**
 * Routes are screen states, not URLs (ink's routing recipe): a typed union, so a screen that
 * needs a parameter says so in its type and breadcrumbs come from the same data.
 */
import type {Scope} from '../keymap.js';
import type {LessonId} from '../learn/lesson.js';

export type Route =
	| {readonly name: 'home'}
	| {readonly name: 'deploy'}
	| {readonly name: 'outputs'}
	| {readonly name: 'key'}
	| {readonly name: 'aliases'}
	| {readonly name: 'deletion'}
	| {readonly name: 'cleanup'}
	| {readonly name: 'encrypt'}
	| {readonly name: 'decrypt'}
	// Without a lesson: the lesson list; with one, that lesson (its title for the breadcrumbs).
	| {
			readonly name: 'learn';
			readonly lesson?: {readonly id: LessonId; readonly title: string};
	  }
	| {readonly name: 'migration'}
	| {readonly name: 'activity'};

export type RouteName = Route['name'];

const titles: Record<RouteName, string> = {
	home: 'Home',
	deploy: 'Deploy',
	outputs: 'Outputs → .env',
	key: 'Key & rotation',
	aliases: 'Aliases',
	deletion: 'Key deletion',
	cleanup: 'Cleanup',
	encrypt: 'Encrypt a file',
	decrypt: 'Decrypt a file',
	learn: 'Learn',
	migration: 'Migrate to a new key',
	activity: 'Activity & cost',
};

export function routeTitle(route: Route): string {
	if (route.name === 'learn' && route.lesson) return route.lesson.title;
	return titles[route.name];
}

/** The keymap scope of a route's own bindings (for the `?` overlay). */
export function routeScope(route: Route): Scope {
	return route.name;
}

export const homeRoute: Route = {name: 'home'};
