import { withoutErrorDetails } from '../../src/bot/endpoint';

/** Records what reaches the underlying HTTP response. */
function recordingResponse() {
  const calls: Array<[string, ...unknown[]]> = [];
  return {
    calls,
    res: {
      socket: undefined,
      status: (code: number) => calls.push(['status', code]),
      header: (name: string, value: unknown) => calls.push(['header', name, value]),
      send: (...args: unknown[]) => calls.push(['send', ...args]),
      end: (...args: unknown[]) => calls.push(['end', ...args]),
    },
  };
}

describe('responses from the adapter', () => {
  it('replace the exception text the adapter puts in a 500 body with a generic one', () => {
    const { calls, res } = recordingResponse();
    const safe = withoutErrorDetails(res);
    safe.status(500);
    safe.send('Error: connect ECONNREFUSED 127.0.0.1:9\n    at TCPConnectWrap.afterConnect (node:net:1555:16)');
    safe.end();
    expect(calls).toEqual([
      ['status', 500],
      ['send', { error: 'internal_error', message: 'The bot could not process this activity.' }],
      ['end'],
    ]);
    expect(safe.sent).toBe(true);
  });

  it('pass other bodies through unchanged', () => {
    const { calls, res } = recordingResponse();
    const safe = withoutErrorDetails(res);
    safe.status(200);
    safe.send({ activities: [] });
    expect(calls).toEqual([
      ['status', 200],
      ['send', { activities: [] }],
    ]);
  });
});
