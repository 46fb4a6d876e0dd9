// node-postgres (`pg` from npm) against orbit-pg or PostgreSQL: parameterised queries over the
// extended protocol. Prints one JSON object a line; tests/integration/test_driver_node.py asserts them.
//
// Usage: node client.js '{"host": "127.0.0.1", "port": 5433, "user": "orbit", "database": "actors", "prefix": "n1"}'
'use strict';

const { Client } = require('pg');

const config = JSON.parse(process.argv[2]);
const prefix = config.prefix;

function emit(step, value) {
  process.stdout.write(JSON.stringify({ step, ...value }) + '\n');
}

function result(res) {
  return {
    command: res.command,
    rowCount: res.rowCount,
    fields: res.fields.map((f) => [f.name, f.dataTypeID]),
    rows: res.rows,
  };
}

async function main() {
  const client = new Client({
    host: config.host,
    port: config.port,
    user: config.user,
    database: config.database,
    connectionTimeoutMillis: 5000,
    query_timeout: 20000,
  });
  await client.connect();
  try {
    const insert = 'INSERT INTO actors (actor_id, actor_type, state) VALUES ($1, $2, $3)';
    const selectOne = 'SELECT actor_id, actor_type, state FROM actors WHERE actor_id = $1';

    // A JS object parameter is sent as its JSON text; jsonb results are parsed back.
    emit('insert', result(await client.query(insert, [`${prefix}:1`, 'user', { name: 'Zoë', balance: 100 }])));
    emit('insert null', result(await client.query(insert, [`${prefix}:2`, 'user', null])));
    emit('select', result(await client.query(selectOne, [`${prefix}:1`])));
    emit('select none', result(await client.query(selectOne, [`${prefix}:nobody`])));

    emit(
      'update',
      result(await client.query('UPDATE actors SET state = $1 WHERE actor_id = $2', [{ balance: 150 }, `${prefix}:1`])),
    );
    emit(
      'select text',
      result(await client.query('SELECT state::text AS state FROM actors WHERE actor_id = $1', [`${prefix}:1`])),
    );

    // A named statement: parsed once, then only Bind/Describe/Execute/Sync.
    const named = [];
    for (let i = 0; i < 10; i++) {
      const res = await client.query({ name: 'get_actor', text: selectOne, values: [`${prefix}:${(i % 2) + 1}`] });
      named.push(res.rows.map((row) => row.actor_id));
    }
    emit('named', { rows: named });

    const limited = await client.query({
      text: 'SELECT actor_id FROM actors WHERE actor_type = $1 ORDER BY actor_id LIMIT $2',
      values: ['user', 1],
      rowMode: 'array',
    });
    emit('limit', { rows: limited.rows });

    try {
      await client.query(insert, [`${prefix}:1`, 'user', null]);
      emit('duplicate', { error: null });
    } catch (err) {
      emit('duplicate', { error: err.code, constraint: err.constraint });
    }
    try {
      await client.query(insert, [`${prefix}:3`, 'user', '{not json']);
      emit('bad json', { error: null });
    } catch (err) {
      emit('bad json', { error: err.code });
    }
    emit('after errors', result(await client.query({ name: 'get_actor', text: selectOne, values: [`${prefix}:2`] })));

    emit('delete', result(await client.query('DELETE FROM actors WHERE actor_id = $1', [`${prefix}:2`])));
    emit(
      'remaining',
      result(await client.query('SELECT actor_id FROM actors WHERE actor_type = $1 ORDER BY actor_id', ['user'])),
    );
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
