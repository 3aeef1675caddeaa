const {client} = require('./db');

async function getUser(id) {
  const rows = await client.query(`select * from users where id = ${id}`);
  return rows[0];
}

module.exports = {getUser};
