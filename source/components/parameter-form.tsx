import {Box} from 'ink';
import type {TemplateParameter} from '../service/index.js';
import {describeRules} from '../template/parameter-rules.js';
import {TextField} from './text-field.js';

export type ParameterFormProps = {
	readonly templatePath: string;
	readonly parameters: readonly TemplateParameter[];
	/** 0 is the template path; 1..n the parameters. */
	readonly focus: number;
	/** Bumped when the template is reloaded so the fields take the new defaults. */
	readonly version: number;
	/** Inline validation: what is wrong with a field's value, by parameter key. */
	readonly problems: Readonly<Record<string, string>>;
	readonly onPathChange: (value: string) => void;
	readonly onPathSubmit: (value: string) => void;
	readonly onValueChange: (key: string, value: string) => void;
	readonly onValueSubmit: (index: number) => void;
};

/**
 * The template path and one field per template parameter, prefilled with its default; the focused
 * field explains itself (the template's Description, else its rules) and a bad value says why.
 */
export function ParameterForm(props: ParameterFormProps) {
	const {templatePath, parameters, focus, version, problems} = props;
	return (
		<Box flexDirection="column">
			<TextField
				key={`path-${version}`}
				label="Template"
				labelWidth={24}
				defaultValue={templatePath}
				isFocused={focus === 0}
				note={focus === 0 ? 'enter reads the template again' : undefined}
				onChange={props.onPathChange}
				onSubmit={props.onPathSubmit}
			/>
			{parameters.map((parameter, index) => (
				<TextField
					key={`${parameter.key}-${version}`}
					label={parameter.key}
					labelWidth={24}
					defaultValue={parameter.defaultValue}
					isFocused={focus === index + 1}
					error={problems[parameter.key]}
					note={
						focus === index + 1
							? (parameter.description ?? describeRules(parameter.rules))
							: undefined
					}
					onChange={(value) => props.onValueChange(parameter.key, value)}
					onSubmit={() => props.onValueSubmit(index + 1)}
				/>
			))}
		</Box>
	);
}
