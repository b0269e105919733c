import { BatchedDestination } from '../src/log-destination';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function recorded() {
  const writes: string[] = [];
  return { writes, destination: new BatchedDestination({ write: (data: string) => writes.push(data) }) };
}

describe('BatchedDestination', () => {
  it('writes the lines of one event-loop turn together, in order, when the turn ends', async () => {
    const { writes, destination } = recorded();
    destination.write('{"n":1}\n');
    destination.write('{"n":2}\n');
    destination.write('{"n":3}\n');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n']);

    destination.write('{"n":4}\n');
    await nextTurn();
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n', '{"n":4}\n']);
  });

  it('flushSync writes what is pending at once, and the end of the turn writes nothing twice', async () => {
    const { writes, destination } = recorded();
    destination.write('{"last":"words"}\n');
    destination.flushSync();
    expect(writes).toEqual(['{"last":"words"}\n']);
    await nextTurn();
    expect(writes).toEqual(['{"last":"words"}\n']);
    destination.flushSync();
    expect(writes).toHaveLength(1);
  });
});
