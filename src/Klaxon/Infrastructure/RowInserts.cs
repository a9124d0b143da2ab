using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Klaxon.Infrastructure;

/// <summary>
/// Inserts one row of an entity with a plain command, returning its generated id — for the rows written on every
/// item creation, where the change tracker's bookkeeping costs more than the insert itself. The columns come from
/// EF's model (table, column names, which key the database generates), so the statement follows the migrations
/// like EF's own would; values are the entity's properties as they are (no value converters are in use).
/// </summary>
public static class RowInserts
{
    private sealed record Statement(string Sql, IReadOnlyList<IProperty> Columns);

    private static readonly ConcurrentDictionary<(Type, bool), Statement> Statements = new();

    /// <summary>Inserts <paramref name="row"/> inside <paramref name="transaction"/> and returns the id the database gave it.</summary>
    public static async Task<long> InsertAsync<T>(KlaxonDbContext db, IDbContextTransaction transaction, T row, CancellationToken cancellationToken) where T : class
    {
        var statement = Statements.GetOrAdd((typeof(T), db.Database.IsNpgsql()), key => Build(db.Model.FindEntityType(key.Item1)!));
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = statement.Sql;
        for (var i = 0; i < statement.Columns.Count; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "p" + i.ToString(CultureInfo.InvariantCulture);
            parameter.Value = statement.Columns[i].PropertyInfo!.GetValue(row) ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static Statement Build(IEntityType entity)
    {
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var key = entity.FindPrimaryKey()!.Properties.Single();
        var columns = entity.GetProperties().Where(p => p != key && p.PropertyInfo is not null).ToList();
        string Quote(string name) => "\"" + name + "\"";
        var names = string.Join(", ", columns.Select(c => Quote(c.GetColumnName(table)!)));
        var values = string.Join(", ", columns.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)));
        return new Statement($"INSERT INTO {Quote(table.Name)} ({names}) VALUES ({values}) RETURNING {Quote(key.GetColumnName(table)!)}", columns);
    }
}
