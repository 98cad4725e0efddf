import {Box, Text} from 'ink';
import {useKeymap} from '../hooks/use-keymap.js';
import {useColor} from '../hooks/use-theme.js';
import {lessonById} from '../learn/lessons.js';
import {useNavigation} from '../navigation/navigation.js';
import {LearnLessonScreen} from './learn-lesson-screen.js';
import {useLearnListState} from './learn-list-state.js';

/** Learn: the lesson list, or the lesson the route names (esc from a lesson comes back here). */
export function LearnScreen() {
	const {route} = useNavigation();
	const lesson = route.name === 'learn' ? route.lesson : undefined;
	if (lesson) return <LearnLessonScreen key={lesson.id} lesson={lessonById(lesson.id)} />;
	return <LessonList />;
}

function LessonList() {
	const color = useColor();
	const navigation = useNavigation();
	const {rows, focus, move, focused, isLoaded} = useLearnListState();
	useKeymap(
		isLoaded && focused
			? {
					up: () => move(-1),
					down: () => move(1),
					'learn-open': () =>
						navigation.push({name: 'learn', lesson: {id: focused.id, title: focused.title}}),
				}
			: {},
	);
	const width = Math.max(...rows.map((row) => row.title.length));
	return (
		<Box flexDirection="column">
			<Text bold>Learn KMS by doing: each lesson runs for real on the current key</Text>
			<Box flexDirection="column" marginY={1}>
				{rows.map((row) => (
					<Text key={row.title} bold={row.index === focus}>
						<Text color={row.index === focus ? color('accent') : undefined}>
							{row.index === focus ? '›' : ' '} {row.index + 1}{' '}
						</Text>
						{row.title.padEnd(width)}{' '}
						{/* Nothing until the progress file is read: a 0 there would be a guess. */}
						<Text
							color={row.done === row.total ? color('success') : undefined}
							dimColor={row.done === 0}
						>
							{isLoaded ? `${row.done === row.total ? '✔ ' : ''}${row.done}/${row.total}` : '…'}
						</Text>
					</Text>
				))}
			</Box>
			{focused ? <Text wrap="wrap">{focused.summary}</Text> : null}
			<Text dimColor wrap="wrap">
				Progress is kept per lesson; a lesson opens where you stopped (r in it starts again).
			</Text>
		</Box>
	);
}
