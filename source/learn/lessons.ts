/** The Learn screen's lessons, in the order the list shows them. */
import type {Lesson, LessonId} from './lesson.js';
import {contextLesson, whyEnvelopesLesson} from './run-direct.js';
import {envelopeLesson} from './run-envelope.js';
import {reEncryptLesson} from './run-reencrypt.js';
import {rotationLesson} from './run-rotation.js';
import {tamperLesson} from './run-tamper.js';

export const lessons: readonly Lesson[] = [
	envelopeLesson,
	whyEnvelopesLesson,
	contextLesson,
	tamperLesson,
	reEncryptLesson,
	rotationLesson,
];

export function lessonById(id: LessonId): Lesson {
	const lesson = lessons.find((candidate) => candidate.id === id);
	if (!lesson) throw new Error(`No lesson ${id} in learn/lessons.ts`);
	return lesson;
}
