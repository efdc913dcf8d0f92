import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './helpers';

type Operation = {
  responses: Record<
    string,
    {
      $ref?: string;
      content?: { 'application/json'?: { schema: object } };
      headers?: Record<string, { required?: boolean }>;
    }
  >;
};

/** Checks HTTP answers against a file of api/ (the account service's by default): documented status, fitting body. */
export class Contract {
  readonly document: {
    paths: Record<string, Record<string, Operation>>;
    components: { responses: Record<string, Operation['responses'][string]> };
  };
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });

  constructor(file = 'account-service.v1.yaml') {
    this.document = parse(readFileSync(path.join(ROOT, 'api', file), 'utf8')) as Contract['document'];
    addFormats(this.ajv);
    this.ajv.addSchema({ ...this.document, $id: 'contract' });
  }

  /** Problems with one answer; empty when it obeys the contract. */
  check(method: string, route: string, status: number, body: unknown, headers: Headers): string[] {
    const operation = this.document.paths[route]?.[method.toLowerCase()];
    if (!operation) return [`${method} ${route} is not in the contract`];
    let response = operation.responses[String(status)];
    if (!response) return [`${method} ${route} answered ${status}, which the contract does not list`];
    if (response.$ref) response = this.document.components.responses[response.$ref.split('/').at(-1)!]!;
    const problems: string[] = [];
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      if (header.required && !headers.get(name)) problems.push(`${status} must carry ${name}`);
    }
    // Only JSON bodies are checked; a page (text/html) is documented as such.
    const schema = response.content?.['application/json']?.schema as { $ref?: string } | undefined;
    if (schema) {
      const validate = this.ajv.compile({ $ref: `contract${schema.$ref}` });
      if (!validate(body))
        problems.push(
          `${method} ${route} ${status} body ${JSON.stringify(body)}: ${this.ajv.errorsText(validate.errors)}`,
        );
    }
    return problems;
  }
}
