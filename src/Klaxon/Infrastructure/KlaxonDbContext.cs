using Microsoft.EntityFrameworkCore;

namespace Klaxon.Infrastructure;

/// <summary>
/// Klaxon's database, on SQLite or PostgreSQL. The schema comes from the hand-written migrations in
/// <c>Migrations/</c>; column names are snake_case and instants are stored as Unix milliseconds, so both
/// providers store and order them alike.
/// </summary>
public sealed class KlaxonDbContext(DbContextOptions<KlaxonDbContext> options) : DbContext(options)
{
    public DbSet<StoredCalendar> Calendars => Set<StoredCalendar>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StoredCalendar>(calendar =>
        {
            calendar.ToTable("calendars");
            calendar.HasKey(c => c.Id);
            calendar.Property(c => c.Id).HasColumnName("id").HasMaxLength(64);
            calendar.Property(c => c.Name).HasColumnName("name");
            calendar.Property(c => c.Definition).HasColumnName("definition");
            calendar.Property(c => c.Version).HasColumnName("version").IsConcurrencyToken();
            calendar.Property(c => c.UpdatedAt).HasColumnName("updated_at");
        });
    }
}
