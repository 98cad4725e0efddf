/**
 * Who the sandbox answers. It listens on loopback only, but a web page the user visits can still
 * reach loopback: a `fetch(…, {mode: 'no-cors'})` POST with a `text/plain` body is sent without
 * any preflight, and DNS rebinding lets a page send requests whose `Host` is its own name. Real
 * AWS clients (the SDKs, the AWS CLI, boto3) always send the protocol's content type and a SigV4
 * `Authorization` header, and never an `Origin`; a browser cannot send that combination to
 * another origin without a CORS preflight, which the sandbox never approves. So requiring those
 * shuts the web out without checking any credential.
 */
import type {IncomingHttpHeaders} from 'node:http';
import {AwsError} from './context.js';
import {isAwsRegion} from './regions.js';

/** KMS and CloudTrail speak awsJson1_1 (`X-Amz-Target`); CloudFormation the Query protocol. */
export type Protocol = 'kms' | 'trail' | 'cfn';

const loopbackHosts = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * CloudTrail's target prefix: botocore sends the model's full `targetPrefix`, the JS SDK v3 its
 * `serviceTarget` alone (both seen on the wire: test/cli/aws-cli-trail.test.ts and
 * test/sandbox/trail-lookup.test.ts).
 */
export const cloudTrailTargetPrefixes: readonly string[] = [
	'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.',
	'CloudTrail_20131101.',
];

/** The operation a CloudTrail target names, or undefined when it is not CloudTrail's. */
export function cloudTrailOperation(target: string): string | undefined {
	const prefix = cloudTrailTargetPrefixes.find((candidate) => target.startsWith(candidate));
	return prefix === undefined ? undefined : target.slice(prefix.length);
}

/** A request without a JSON target is taken as CloudFormation's Query. */
export function protocolOf(headers: IncomingHttpHeaders): Protocol {
	const target = headers['x-amz-target'];
	if (typeof target !== 'string') return 'cfn';
	if (target.startsWith('TrentService.')) return 'kms';
	return cloudTrailOperation(target) === undefined ? 'cfn' : 'trail';
}

const expectedContentType: Record<Protocol, string> = {
	kms: 'application/x-amz-json-1.1',
	trail: 'application/x-amz-json-1.1',
	cfn: 'application/x-www-form-urlencoded',
};

/**
 * `AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/kms/aws4_request,
 * SignedHeaders=host;x-amz-date, Signature=<hex>`: botocore separates with ", ", the JS SDK too.
 */
const sigV4Pattern =
	/^AWS4-HMAC-SHA256 Credential=[^/\s,]+\/\d{8}\/([^/\s,]+)\/[^/\s,]+\/aws4_request,\s*SignedHeaders=[a-z0-9;-]+,\s*Signature=[0-9a-f]+$/;

/** `AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/kms/aws4_request, …` → `eu-west-1`. */
export function regionFromAuthorization(header: string | undefined): string | undefined {
	return header?.match(sigV4Pattern)?.[1];
}

/** The access key id a SigV4 credential names (CloudTrail's `userIdentity.accessKeyId`). */
export function accessKeyFromAuthorization(header: string | undefined): string | undefined {
	return header?.match(sigV4Pattern) ? header.match(/Credential=([^/\s,]+)\//)?.[1] : undefined;
}

const requestNames: Record<Protocol, string> = {
	kms: 'KMS requests',
	trail: 'CloudTrail requests',
	cfn: 'CloudFormation requests',
};

/** Untrusted header text inside an error message: short, quoted, control characters escaped. */
function quoted(value: string): string {
	return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

function denied(protocol: Protocol, message: string): AwsError {
	return new AwsError(protocol === 'cfn' ? 'AccessDenied' : 'AccessDeniedException', message, 403);
}

/**
 * Refuses requests that did not come from a local AWS client: a foreign `Host` (DNS rebinding),
 * any `Origin` or `Sec-Fetch-Site` of another site (a web page), a body type other than the
 * protocol's, no SigV4-shaped `Authorization`. Returns undefined when the request may proceed.
 */
export function refuseForeignRequest(
	headers: IncomingHttpHeaders,
	method: string | undefined,
	port: number,
): AwsError | undefined {
	const protocol = protocolOf(headers);
	const allowedHosts = loopbackHosts.flatMap((host) =>
		port === 80 ? [`${host}:${port}`, host] : [`${host}:${port}`],
	);
	const host = (headers.host ?? '').toLowerCase();
	if (!allowedHosts.includes(host)) {
		return denied(
			protocol,
			`The kms-tui sandbox answers only requests for ${allowedHosts.join(', ')}; this one was for host ${quoted(headers.host ?? '')} (a web page using DNS rebinding looks like this). Use the endpoint \`kms-tui sandbox serve\` printed.`,
		);
	}
	const origin = headers.origin;
	if (
		origin !== undefined &&
		!loopbackHosts.some((name) => origin.toLowerCase() === `http://${name}:${port}`)
	) {
		return denied(
			protocol,
			`The kms-tui sandbox does not answer web pages: this request came from origin ${quoted(origin)}. AWS SDKs and the AWS CLI send no Origin header.`,
		);
	}
	const fetchSite = headers['sec-fetch-site'];
	if (fetchSite === 'cross-site' || fetchSite === 'same-site') {
		return denied(
			protocol,
			`The kms-tui sandbox does not answer web pages: this request was sent by a browser from another site (Sec-Fetch-Site: ${fetchSite}).`,
		);
	}
	// GET / is the sandbox's own health check: no body, no effect, nothing secret.
	if (method === 'GET') return undefined;
	const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
	if (contentType !== expectedContentType[protocol]) {
		return denied(
			protocol,
			`The kms-tui sandbox accepts ${requestNames[protocol]} only with Content-Type ${expectedContentType[protocol]}, as AWS clients send them; this one had ${quoted(headers['content-type'] ?? '(none)')}.`,
		);
	}
	const authorization = headers.authorization;
	if (authorization === undefined) {
		return new AwsError(
			protocol === 'cfn' ? 'MissingAuthenticationToken' : 'MissingAuthenticationTokenException',
			'Request is missing Authentication Token: the kms-tui sandbox needs a SigV4-signed request (any credentials, e.g. AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox).',
			403,
		);
	}
	const region = regionFromAuthorization(authorization);
	if (region === undefined) {
		return new AwsError(
			protocol === 'cfn' ? 'IncompleteSignature' : 'IncompleteSignatureException',
			`The Authorization header is not a SigV4 signature (AWS4-HMAC-SHA256 Credential=…/date/region/service/aws4_request, SignedHeaders=…, Signature=…): ${quoted(authorization)}.`,
			403,
		);
	}
	if (!isAwsRegion(region)) {
		return new AwsError(
			protocol === 'cfn' ? 'SignatureDoesNotMatch' : 'InvalidSignatureException',
			`Credential should be scoped to a valid region, not ${quoted(region)}. Use an AWS region name such as us-east-1 or eu-west-1.`,
			403,
		);
	}
	return undefined;
}
